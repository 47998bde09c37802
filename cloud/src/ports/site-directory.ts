/** What the intake needs to know of a site, from the registry (tenant, tag -> asset bindings). */
export interface SiteInfo {
  readonly siteId: string;
  readonly tenantId: string;
  /** The asset a tag is bound to, or null. */
  assetOf(tag: string): string | null;
}

export interface SiteDirectory {
  /** null for a site the registry does not know. Implementations cache; callers may call per batch. */
  site(siteId: string): Promise<SiteInfo | null>;
}
