/** Sites, their edge's MQTT credentials, versioned configs, reported status and commands. */
export interface SitesTable {
  /** The site id used in MQTT topics and telemetry; unique across tenants. */
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  timezone: string;
  lat: number | null;
  lon: number | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface SiteCredentialsTable {
  id: string;
  tenant_id: string;
  site_id: string;
  /** SHA-256 of a 256-bit random secret (high entropy needs no slow KDF). */
  secret_hash: string;
  created_at: number;
  created_by: string;
  /** After a rotation the old secret stays valid until then (grace period), or null. */
  expires_at: number | null;
  revoked_at: number | null;
}

export interface SiteConfigsTable {
  tenant_id: string;
  site_id: string;
  version: number;
  body: string;
  created_at: number;
  created_by: string;
  /** The edge's answer: applied | rejected, or null while none came. */
  result_status: string | null;
  result_reason: string | null;
  result_at: number | null;
}

export interface SiteStatusTable {
  site_id: string;
  tenant_id: string;
  state: string;
  /** The edge's timestamp of the status; older statuses arriving late are ignored. */
  ts: number;
  received_at: number;
  agent_version: string | null;
  applied_config_version: number | null;
  buffer: string | null;
  devices: string | null;
}

export interface CommandsTable {
  id: string;
  tenant_id: string;
  site_id: string;
  action: string;
  actor: string;
  issued_at: number;
  expires_at: number;
  status: string;
  reason: string | null;
  result_at: number | null;
}

export interface SiteTables {
  sites: SitesTable;
  site_credentials: SiteCredentialsTable;
  site_configs: SiteConfigsTable;
  site_status: SiteStatusTable;
  commands: CommandsTable;
}
