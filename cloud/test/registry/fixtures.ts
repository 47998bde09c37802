import type { AlertEvent } from '@dcmms/shared';
import { createManualClock, type ManualClock } from '@dcmms/shared';
import { createRegistry, type Actor, type Registry, type Scope } from '../../src/registry/index.js';
import type { TestRegistry } from '../support/registry-db.js';

/** Cheap scrypt for tests that hash many passwords; the production cost is tested on its own. */
export const TEST_PASSWORD_COST = Object.freeze({ log2N: 10, r: 8, p: 1 });

export interface RegistryFixture {
  readonly registry: Registry;
  readonly clock: ManualClock;
  readonly drop: () => Promise<void>;
}

export async function openFixture(open: () => Promise<TestRegistry>): Promise<RegistryFixture> {
  const t = await open();
  const clock = createManualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
  const registry = createRegistry(t.database, { clock, passwordCost: TEST_PASSWORD_COST });
  return { registry, clock, drop: () => t.drop() };
}

export interface TenantFixture {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly scope: Scope;
}

let counter = 0;
export async function seedTenant(registry: Registry, name = 'acme'): Promise<TenantFixture> {
  const tenantId = registry.newId();
  const actor: Actor = { type: 'system', id: 'test', name: 'test', tenantId };
  await registry.tenants.create(actor, { id: tenantId, name });
  return { tenantId, actor, scope: { tenantId, sites: null } };
}

export const uniqueSiteId = (prefix = 'site'): string => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export function alertEvent(site: string, over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    site,
    alertId: 'inv1.temp.hihi',
    occurrence: 1,
    eventSeq: 1,
    ts: Date.UTC(2026, 2, 1, 8, 0, 0),
    kind: 'raised',
    state: 'unacked_active',
    severity: 'critical',
    ruleId: 'temp-hihi',
    tag: 'inv1.temp',
    value: 92.5,
    message: 'Inverter 1 temperature high high',
    ...over,
  };
}
