/**
 * Alerts as the cloud keeps them: one row per occurrence of an edge alarm point with its
 * current state, and every event that led there (from the edge, or actions taken here).
 */
export interface AlertsTable {
  id: string;
  tenant_id: string;
  site_id: string;
  /** The edge's alertId (alarm point: rule and tag). */
  alert_key: string;
  occurrence: number;
  rule_id: string;
  tag: string | null;
  asset_id: string | null;
  severity: string;
  state: string;
  /** Whether the alarm condition is present (raised and not cleared). */
  active: number;
  message: string;
  /** JSON of the value that raised it. */
  value: string | null;
  raised_at: number;
  cleared_at: number | null;
  acked_at: number | null;
  acked_by: string | null;
  shelved_until: number | null;
  /** Highest edge eventSeq applied; an older event never overwrites newer state. */
  last_event_seq: number | null;
  last_event_at: number;
  /** Bumped on every change, so a live stream can tell a new change from one it sent. */
  revision: number;
  updated_at: number;
  work_order_id: string | null;
}

export interface AlertEventsTable {
  id: string;
  tenant_id: string;
  site_id: string;
  alert_id: string;
  alert_key: string;
  occurrence: number;
  /** The edge's per-site alarm-event seq, null for events made in the cloud. */
  event_seq: number | null;
  kind: string;
  state: string;
  ts: number;
  actor: string | null;
  comment: string | null;
  value: string | null;
  message: string | null;
  shelved_until: number | null;
  source: string;
  recorded_at: number;
}

export interface AlertTables {
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
}
