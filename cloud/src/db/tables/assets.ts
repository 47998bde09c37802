/** The asset hierarchy of a site and which telemetry tags belong to which asset. */
export interface AssetsTable {
  id: string;
  tenant_id: string;
  site_id: string;
  parent_id: string | null;
  /** 1 for an asset directly under its site, up to the maximum depth. */
  depth: number;
  name: string;
  kind: string;
  manufacturer: string | null;
  model: string | null;
  serial: string | null;
  /** ISO date (YYYY-MM-DD). */
  install_date: string | null;
  lat: number | null;
  lon: number | null;
  metadata: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface AssetTagsTable {
  tenant_id: string;
  site_id: string;
  tag: string;
  asset_id: string;
  created_at: number;
}

export interface AssetTables {
  assets: AssetsTable;
  asset_tags: AssetTagsTable;
}
