/** Work orders with their checklist, parts, labour, event history and auto-open rules. */
export interface WorkOrdersTable {
  id: string;
  tenant_id: string;
  /** WO-2026-000123, unique per tenant. */
  number: string;
  site_id: string;
  asset_id: string | null;
  alert_id: string | null;
  /** The auto-open rule that created it, if any. */
  rule_id: string | null;
  /** Set while open when opened by a rule (asset + alert rule); unique, so a rule cannot open twice. */
  dedupe_key: string | null;
  title: string;
  description: string;
  type: string;
  priority: string;
  state: string;
  resolution: string | null;
  assignee_id: string | null;
  due_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface WoCountersTable {
  tenant_id: string;
  year: number;
  value: number;
}

export interface WoTasksTable {
  id: string;
  tenant_id: string;
  work_order_id: string;
  position: number;
  title: string;
  done: number;
  done_by: string | null;
  done_at: number | null;
  created_at: number;
}

export interface WoPartsTable {
  id: string;
  tenant_id: string;
  work_order_id: string;
  part_number: string;
  description: string;
  quantity: number;
  unit_cost_cents: number;
  created_by: string;
  created_at: number;
}

export interface WoLabourTable {
  id: string;
  tenant_id: string;
  work_order_id: string;
  technician: string;
  minutes: number;
  rate_cents_per_hour: number;
  note: string;
  performed_at: number;
  created_by: string;
  created_at: number;
}

export interface WoEventsTable {
  id: string;
  tenant_id: string;
  work_order_id: string;
  at: number;
  actor_id: string;
  actor_name: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  /** JSON details (changed fields, comment text, task title...). */
  data: string;
}

export interface WoRulesTable {
  id: string;
  tenant_id: string;
  name: string;
  /** Match: a site (null: any), an asset kind (null: any), an edge alert rule id (null: any). */
  site_id: string | null;
  asset_kind: string | null;
  alert_rule_id: string | null;
  /** Lowest severity that opens a work order. */
  min_severity: string;
  wo_type: string;
  wo_priority: string;
  enabled: number;
  created_by: string;
  created_at: number;
}

export interface WorkOrderTables {
  work_orders: WorkOrdersTable;
  wo_counters: WoCountersTable;
  wo_tasks: WoTasksTable;
  wo_parts: WoPartsTable;
  wo_labour: WoLabourTable;
  wo_events: WoEventsTable;
  wo_rules: WoRulesTable;
}
