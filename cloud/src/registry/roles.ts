/** The roles of ARCHITECTURE.md, from most to least powerful. What each may do: api/permissions.ts. */
export const ROLES = ['admin', 'supervisor', 'technician', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Site scopes are stored as a JSON array, or null for every site of the tenant. */
export function parseSiteScope(value: string | null): string[] | null {
  if (value === null) return null;
  const parsed = JSON.parse(value) as unknown;
  return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : [];
}

export function serializeSiteScope(sites: readonly string[] | null): string | null {
  return sites === null ? null : JSON.stringify([...new Set(sites)].sort());
}
