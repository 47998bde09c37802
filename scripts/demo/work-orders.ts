import type { WoPriority, WoTransitionName, WoType } from '@dcmms/cloud';

/**
 * The demo's maintenance data: one work-order rule (critical alarms open a corrective work
 * order) and a few work orders left in different states, as a team would have them.
 */
export const DEMO_WO_RULE = Object.freeze({
  name: 'Critical alarms open a corrective work order',
  minSeverity: 'critical' as const,
  woType: 'corrective' as const,
  woPriority: 'high' as const,
});

export interface WorkOrderSpec {
  /** Unique among the demo's work orders: how a restart recognises one it created. */
  readonly title: string;
  readonly assetKey: string;
  readonly type: WoType;
  readonly priority: WoPriority;
  readonly description: string;
  readonly tasks: readonly string[];
  /** Taken in order after creation (as a draft); `assign` goes to the admin. */
  readonly transitions: readonly WoTransitionName[];
}

export const DEMO_WORK_ORDERS: readonly WorkOrderSpec[] = Object.freeze([
  {
    title: 'Quarterly inspection of PV inverter 1',
    assetKey: 'inv1',
    type: 'preventive',
    priority: 'medium',
    description: 'Visual inspection, torque check of the DC connectors, firmware version check.',
    tasks: ['Inspect enclosure and seals', 'Torque-check DC connectors', 'Record firmware version'],
    transitions: [],
  },
  {
    title: 'Clean the cooling fan filter of PV inverter 2',
    assetKey: 'inv2-cooling',
    type: 'corrective',
    priority: 'high',
    description: 'Heatsink temperature trending up at full load; the fan filter is likely clogged.',
    tasks: ['Isolate the inverter', 'Replace the fan filter', 'Check the heatsink temperature at full load'],
    transitions: ['submit'],
  },
  {
    title: 'Verify the revenue meter CT ratio',
    assetKey: 'meter-transformers',
    type: 'preventive',
    priority: 'low',
    description: 'Annual verification of the CT and PT ratios against the meter configuration.',
    tasks: ['Read ct_ratio and pt_ratio', 'Compare with the single-line diagram'],
    transitions: ['submit', 'assign', 'start'],
  },
  {
    title: 'Lubricate the yaw bearing of WT1',
    assetKey: 'wt1-yaw',
    type: 'preventive',
    priority: 'medium',
    description: 'Six-monthly lubrication of the yaw bearing and gear rim.',
    tasks: ['Apply grease to the yaw bearing', 'Inspect the gear rim', 'Test yaw in both directions'],
    transitions: ['submit', 'assign', 'start', 'complete', 'close'],
  },
]);
