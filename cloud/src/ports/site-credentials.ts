/**
 * How the gateway checks a site's MQTT credential. The API's registry implements it over
 * PostgreSQL/SQLite (secrets stored hashed); a file-backed one serves the embedded mode.
 */
export interface SiteCredentialVerifier {
  /** The site's tenant when `secret` matches a current credential of `site`, else null. */
  verify(site: string, secret: string): Promise<{ readonly tenantId: string } | null>;
}
