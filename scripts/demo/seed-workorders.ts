import { systemActor, type Registry, type Scope } from '@dcmms/cloud';
import { SEED_ACTOR_NAME } from './seed-admin.js';
import { DEMO_WO_RULE, type WorkOrderSpec } from './work-orders.js';

export interface WorkOrdersSeed {
  readonly ruleCreated: boolean;
  readonly created: number;
}

/**
 * The work-order rule and the demo's work orders, each taken through its transitions (assign
 * goes to the admin). A work order is recognised by its title within the site.
 */
export async function seedWorkOrders(
  registry: Registry,
  tenantId: string,
  o: { readonly siteId: string; readonly assigneeId: string; readonly assetIds: Readonly<Record<string, string>>; readonly specs: readonly WorkOrderSpec[] },
): Promise<WorkOrdersSeed> {
  const actor = systemActor(tenantId, SEED_ACTOR_NAME);
  const scope: Scope = { tenantId, sites: null };
  const rules = await registry.workOrders.rules.list(scope, { limit: 500 });
  const ruleCreated = !rules.items.some((r) => r.name === DEMO_WO_RULE.name && r.siteId === o.siteId);
  if (ruleCreated) {
    await registry.workOrders.rules.create(actor, scope, { ...DEMO_WO_RULE, siteId: o.siteId, assetKind: null, alertRuleId: null, enabled: true });
  }

  let created = 0;
  for (const spec of o.specs) {
    const found = await registry.workOrders.list(scope, { siteId: o.siteId, q: spec.title }, { limit: 20 });
    if (found.items.some((w) => w.title === spec.title)) continue;
    const assetId = o.assetIds[spec.assetKey];
    if (assetId === undefined) throw new Error(`work order "${spec.title}": no asset ${spec.assetKey}`);
    let wo = await registry.workOrders.create(actor, scope, { siteId: o.siteId, assetId, title: spec.title, description: spec.description, type: spec.type, priority: spec.priority, tasks: [...spec.tasks] });
    for (const name of spec.transitions) {
      wo = await registry.workOrders.transition(actor, scope, wo.id, name, name === 'assign' ? { assigneeId: o.assigneeId } : {}, wo.version);
    }
    created++;
  }
  return { ruleCreated, created };
}
