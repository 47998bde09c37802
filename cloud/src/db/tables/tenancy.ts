/** Tenants, people and machines that act on the registry, and what they may reach. */
export interface TenantsTable {
  id: string;
  name: string;
  /** The tenant the platform operator belongs to; its admins administer the other tenants. */
  is_root: number;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  /** Lowercase, unique across tenants: a login names a user without naming the tenant. */
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  /** JSON array of site ids the user is limited to, or null for every site of the tenant. */
  site_scope: string | null;
  disabled: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  version: number;
}

export interface RefreshTokensTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** Every token obtained by rotating one login shares its family; reuse revokes the family. */
  family_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: string;
  role: string;
  site_scope: string | null;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** Process-wide settings the registry keeps (for example the generated token-signing key). */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface AuditLogTable {
  id: string;
  tenant_id: string;
  at: number;
  actor_type: string;
  actor_id: string;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string;
  site_id: string | null;
  /** JSON snapshots; secrets never appear in them. */
  before: string | null;
  after: string | null;
  request_id: string | null;
}

export interface TenancyTables {
  tenants: TenantsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
}
