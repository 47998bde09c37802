import type { AccessSubject } from '../../src/api/index.js';
import type { Actor, Alert, Role, Scope, WorkOrderDetail, WoTransitionName } from '../../src/registry/index.js';
import { alertEvent } from '../registry/fixtures.js';
import type { ApiHarness } from './harness.js';
import { T0 } from './harness.js';

export type Target = 'own' | 'otherSite' | 'otherTenant';
export const TARGETS: readonly Target[] = ['own', 'otherSite', 'otherTenant'];

export interface TenantFx {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly scope: Scope;
}

export interface PrincipalFx {
  readonly name: string;
  readonly subject: AccessSubject;
  readonly kind: 'user' | 'api_key';
  readonly headers: Record<string, string>;
  readonly userId: string | null;
  readonly password: string | null;
  readonly username: string | null;
}

/**
 * The world the route tests run in: tenant A (the operator's, root) with sites a-s1 and a-s2,
 * tenant B with site b-s1, and in A a user per role, unlimited and limited to a-s1, plus API
 * keys. Factories make fresh resources in a target site, straight through the registry.
 */
export interface World {
  readonly h: ApiHarness;
  readonly a: TenantFx;
  readonly b: TenantFx;
  readonly principals: readonly PrincipalFx[];
  principal(name: string): PrincipalFx;
  site(target: Target): string;
  tenant(target: Target): TenantFx;
  /** A fresh site (empty) in the target's tenant. */
  freshSite(target: Target): Promise<string>;
  asset(target: Target, tags?: string[]): Promise<{ id: string; siteId: string; tags: string[] }>;
  alert(target: Target, state?: 'unacked_active' | 'shelved'): Promise<Alert>;
  workOrder(target: Target, through?: readonly WoTransitionName[]): Promise<WorkOrderDetail>;
  user(target: Target): Promise<{ id: string; username: string; password: string }>;
  apiKey(target: Target): Promise<string>;
  rule(target: Target): Promise<string>;
  technicianId(): string;
  unique(prefix: string): string;
}

export const ROLE_LIST: readonly Role[] = ['admin', 'supervisor', 'technician', 'viewer'];

export async function buildWorld(h: ApiHarness): Promise<World> {
  const { registry } = h;
  const mkTenant = async (name: string, root: boolean): Promise<TenantFx> => {
    const tenantId = registry.newId();
    const actor: Actor = { type: 'system', id: 'test', name: 'test', tenantId };
    await registry.tenants.create(actor, { id: tenantId, name, root });
    return { tenantId, actor, scope: { tenantId, sites: null } };
  };
  const a = await mkTenant('Operator A', true);
  const b = await mkTenant('Customer B', false);
  await registry.sites.create(a.actor, a.scope, { id: 'a-s1', name: 'A one', location: { lat: 48.85, lon: 2.35 } });
  await registry.sites.create(a.actor, a.scope, { id: 'a-s2', name: 'A two' });
  await registry.sites.create(b.actor, b.scope, { id: 'b-s1', name: 'B one' });

  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}`;
  const principals: PrincipalFx[] = [];
  const login = async (username: string, password: string) => {
    // Each from its own address, so tests of the per-address login limit start from zero.
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: `10.0.0.${principals.length + 1}` });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    return (res.json() as { accessToken: string }).accessToken;
  };
  let technicianId = '';
  for (const role of ROLE_LIST) {
    for (const sites of [null, ['a-s1']] as const) {
      const name = sites ? `${role}@a-s1` : role;
      const username = `user.${name.replace('@', '.at.')}`;
      const password = `password-${name}-0123`;
      const user = await registry.users.create(a.actor, a.tenantId, { username, password, role, sites });
      if (role === 'technician' && sites === null) technicianId = user.id;
      principals.push({ name, kind: 'user', subject: { role, sites, root: true }, headers: { authorization: `Bearer ${await login(username, password)}` }, userId: user.id, password, username });
    }
  }
  for (const [role, sites] of [['supervisor', null], ['viewer', ['a-s1']]] as const) {
    const created = await registry.apiKeys.create(a.actor, a.tenantId, { name: `${role} key`, role, sites });
    principals.push({ name: `key:${role}${sites ? '@a-s1' : ''}`, kind: 'api_key', subject: { role, sites, root: true }, headers: { 'x-api-key': created.key }, userId: null, password: null, username: null });
  }

  const site = (t: Target) => (t === 'own' ? 'a-s1' : t === 'otherSite' ? 'a-s2' : 'b-s1');
  const tenant = (t: Target) => (t === 'otherTenant' ? b : a);
  let eventSeq = 1000;

  const world: World = {
    h,
    a,
    b,
    principals,
    principal: (name) => principals.find((p) => p.name === name) ?? (() => { throw new Error(`no principal ${name}`); })(),
    site,
    tenant,
    async freshSite(t) {
      const id = unique(t === 'otherTenant' ? 'b-fresh' : 'a-fresh');
      const fx = tenant(t);
      await registry.sites.create(fx.actor, fx.scope, { id, name: id });
      return id;
    },
    async asset(t, tags) {
      const fx = tenant(t);
      const boundTags = tags ?? [unique(`${site(t)}.tag`)];
      const asset = await registry.assets.create(fx.actor, fx.scope, { siteId: site(t), name: unique('asset'), kind: 'inverter', tags: boundTags, location: { lat: 48.85, lon: 2.35 } });
      return { id: asset.id, siteId: asset.siteId, tags: boundTags };
    },
    async alert(t, state = 'unacked_active') {
      const fx = tenant(t);
      const key = unique('alarm');
      eventSeq += 1;
      await registry.alerts.applyEdgeEvents([alertEvent(site(t), { alertId: key, eventSeq, severity: 'high', ts: T0 })]);
      const page = await registry.alerts.list(fx.scope, { siteId: site(t) }, { limit: 200 });
      const alert = page.items.find((x) => x.alertKey === key)!;
      if (state === 'shelved') return (await registry.alerts.act(fx.actor, fx.scope, alert.id, 'shelve', { shelvedUntil: T0 + 3600_000 })).alert;
      return alert;
    },
    async workOrder(t, through = []) {
      const fx = tenant(t);
      let wo = await registry.workOrders.create(fx.actor, fx.scope, { siteId: site(t), title: unique('wo'), type: 'corrective', priority: 'medium', tasks: ['check'] });
      const assignee = t === 'otherTenant' ? (await world.user('otherTenant')).id : technicianId;
      for (const name of through) wo = await registry.workOrders.transition(fx.actor, fx.scope, wo.id, name, name === 'assign' ? { assigneeId: assignee } : {}, wo.version);
      return wo;
    },
    async user(t) {
      const fx = tenant(t);
      const username = unique('someone');
      const password = 'a password long enough';
      const u = await registry.users.create(fx.actor, fx.tenantId, { username, password, role: 'technician' });
      return { id: u.id, username, password };
    },
    async apiKey(t) {
      const fx = tenant(t);
      return (await registry.apiKeys.create(fx.actor, fx.tenantId, { name: unique('key'), role: 'viewer' })).apiKey.id;
    },
    async rule(t) {
      const fx = tenant(t);
      return (await registry.workOrders.rules.create(fx.actor, fx.scope, { name: unique('rule'), siteId: null, assetKind: null, alertRuleId: null, minSeverity: 'critical', woType: 'corrective', woPriority: 'urgent', enabled: true })).id;
    },
    technicianId: () => technicianId,
    unique,
  };
  return world;
}
