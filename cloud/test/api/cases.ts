import type { Access, Permission } from '../../src/api/index.js';
import { T0 } from './harness.js';
import type { Target, World } from './world.js';

export interface BuiltRequest {
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * One route of the API with a way to make a valid request to it against a target (a resource
 * in the caller's own site, another site of the tenant, or another tenant). The access matrix
 * and the bad-input tests both run over this list, and a test checks it covers every route.
 */
export interface RouteCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as registered (`/api/v1/assets/:id`). */
  readonly route: string;
  readonly access: Access;
  /**
   * site: the request names something of a site; tenant: something of the tenant, not of a
   * site; collection: no target (a list, or a create with no site); public: no credentials.
   */
  readonly kind: 'site' | 'tenant' | 'collection' | 'public';
  readonly status: number;
  /** Needed on top of the route's permission (decided in the handler). */
  readonly extra?: Permission;
  /** Only users (not API keys) may call it. */
  readonly usersOnly?: boolean;
  /** Served as a stream: tested over HTTP, the response is not awaited to its end. */
  readonly stream?: boolean;
  readonly label?: string;
  build(w: World, target: Target, principal: { readonly password: string | null }): Promise<BuiltRequest>;
}

const range = `from=${T0 - 3600_000}&to=${T0 + 3600_000}`;
const json = (o: unknown) => o;

export const CASES: readonly RouteCase[] = [
  // --- operations ---
  { method: 'GET', route: '/healthz', access: 'public', kind: 'public', status: 200, build: async () => ({ url: '/healthz' }) },
  { method: 'GET', route: '/readyz', access: 'public', kind: 'public', status: 200, build: async () => ({ url: '/readyz' }) },
  { method: 'GET', route: '/metrics', access: 'public', kind: 'public', status: 200, build: async () => ({ url: '/metrics' }) },

  // --- auth ---
  {
    method: 'POST', route: '/api/v1/auth/login', access: 'public', kind: 'public', status: 200,
    build: async (w) => {
      const u = await w.user('own');
      return { url: '/api/v1/auth/login', body: { username: u.username, password: u.password } };
    },
  },
  {
    method: 'POST', route: '/api/v1/auth/refresh', access: 'public', kind: 'public', status: 200,
    build: async (w) => ({ url: '/api/v1/auth/refresh', body: { refreshToken: (await w.h.registry.sessions.issue(w.principal('admin').userId!, w.a.tenantId)).token } }),
  },
  {
    method: 'POST', route: '/api/v1/auth/logout', access: 'public', kind: 'public', status: 204,
    build: async (w) => ({ url: '/api/v1/auth/logout', body: { refreshToken: (await w.h.registry.sessions.issue(w.principal('admin').userId!, w.a.tenantId)).token } }),
  },
  { method: 'GET', route: '/api/v1/auth/me', access: 'authenticated', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/auth/me' }) },
  {
    method: 'POST', route: '/api/v1/auth/password', access: 'authenticated', kind: 'collection', status: 204, usersOnly: true,
    build: async (_w, _t, p) => ({ url: '/api/v1/auth/password', body: { currentPassword: p.password ?? 'none-none-none', newPassword: p.password ?? 'none-none-none' } }),
  },

  // --- tenants (operator admins) ---
  { method: 'GET', route: '/api/v1/tenants', access: 'tenants:admin', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/tenants' }) },
  {
    method: 'POST', route: '/api/v1/tenants', access: 'tenants:admin', kind: 'collection', status: 201,
    build: async (w) => ({ url: '/api/v1/tenants', body: { name: w.unique('Tenant'), admin: { username: w.unique('tadmin'), password: 'a long tenant admin password' } } }),
  },
  { method: 'GET', route: '/api/v1/tenants/:id', access: 'tenants:admin', kind: 'collection', status: 200, build: async (w) => ({ url: `/api/v1/tenants/${w.b.tenantId}` }) },
  { method: 'PATCH', route: '/api/v1/tenants/:id', access: 'tenants:admin', kind: 'collection', status: 200, build: async (w) => ({ url: `/api/v1/tenants/${w.b.tenantId}`, body: { name: 'Customer B' } }) },

  // --- users, API keys, audit ---
  { method: 'GET', route: '/api/v1/users', access: 'users:admin', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/users?limit=5' }) },
  {
    method: 'POST', route: '/api/v1/users', access: 'users:admin', kind: 'collection', status: 201,
    build: async (w) => ({ url: '/api/v1/users', body: { username: w.unique('newuser'), password: 'a long new password', role: 'viewer', sites: ['a-s1'] } }),
  },
  { method: 'GET', route: '/api/v1/users/:id', access: 'users:admin', kind: 'tenant', status: 200, build: async (w, t) => ({ url: `/api/v1/users/${(await w.user(t)).id}` }) },
  { method: 'PATCH', route: '/api/v1/users/:id', access: 'users:admin', kind: 'tenant', status: 200, build: async (w, t) => ({ url: `/api/v1/users/${(await w.user(t)).id}`, body: { role: 'viewer', displayName: 'Changed' } }) },
  { method: 'DELETE', route: '/api/v1/users/:id', access: 'users:admin', kind: 'tenant', status: 204, build: async (w, t) => ({ url: `/api/v1/users/${(await w.user(t)).id}` }) },
  { method: 'GET', route: '/api/v1/api-keys', access: 'api-keys:admin', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/api-keys' }) },
  { method: 'POST', route: '/api/v1/api-keys', access: 'api-keys:admin', kind: 'collection', status: 201, build: async (w) => ({ url: '/api/v1/api-keys', body: { name: w.unique('k'), role: 'viewer' } }) },
  { method: 'DELETE', route: '/api/v1/api-keys/:id', access: 'api-keys:admin', kind: 'tenant', status: 200, build: async (w, t) => ({ url: `/api/v1/api-keys/${await w.apiKey(t)}` }) },
  { method: 'GET', route: '/api/v1/audit', access: 'audit:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/audit?limit=5' }) },

  // --- sites ---
  { method: 'GET', route: '/api/v1/sites', access: 'sites:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/sites' }) },
  { method: 'POST', route: '/api/v1/sites', access: 'sites:manage', kind: 'collection', status: 201, build: async (w) => ({ url: '/api/v1/sites', body: { id: w.unique('new-site'), name: 'New', timezone: 'Europe/Paris' } }) },
  { method: 'GET', route: '/api/v1/sites/:siteId', access: 'sites:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}` }) },
  { method: 'PATCH', route: '/api/v1/sites/:siteId', access: 'sites:update', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}`, body: { description: 'patched' } }) },
  { method: 'DELETE', route: '/api/v1/sites/:siteId', access: 'sites:manage', kind: 'site', status: 204, build: async (w, t) => ({ url: `/api/v1/sites/${await w.freshSite(t)}` }) },
  { method: 'GET', route: '/api/v1/sites/:siteId/status', access: 'sites:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/status` }) },
  { method: 'GET', route: '/api/v1/sites/:siteId/completeness', access: 'sites:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/completeness?${range}` }) },
  { method: 'GET', route: '/api/v1/sites/:siteId/credentials', access: 'sites:credentials', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/credentials` }) },
  { method: 'POST', route: '/api/v1/sites/:siteId/credentials', access: 'sites:credentials', kind: 'site', status: 201, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/credentials`, body: { graceSeconds: 60 } }) },
  {
    method: 'DELETE', route: '/api/v1/sites/:siteId/credentials/:credentialId', access: 'sites:credentials', kind: 'site', status: 200,
    build: async (w, t) => {
      const fx = w.tenant(t);
      const issued = await w.h.registry.credentials.issue(fx.actor, fx.scope, w.site(t), 3600_000);
      return { url: `/api/v1/sites/${w.site(t)}/credentials/${issued.credential.id}` };
    },
  },
  { method: 'GET', route: '/api/v1/sites/:siteId/config', access: 'sites:config:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/config` }) },
  { method: 'PUT', route: '/api/v1/sites/:siteId/config', access: 'sites:config:write', kind: 'site', status: 201, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/config`, body: { body: { site: w.site(t) } } }) },
  {
    method: 'POST', route: '/api/v1/sites/:siteId/config/push', access: 'sites:config:write', kind: 'site', status: 200,
    build: async (w, t) => {
      const fx = w.tenant(t);
      await w.h.registry.configs.put(fx.actor, fx.scope, w.site(t), { site: w.site(t) });
      return { url: `/api/v1/sites/${w.site(t)}/config/push` };
    },
  },
  { method: 'GET', route: '/api/v1/sites/:siteId/config/versions', access: 'sites:config:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/config/versions` }) },
  {
    method: 'GET', route: '/api/v1/sites/:siteId/config/versions/:version', access: 'sites:config:read', kind: 'site', status: 200,
    build: async (w, t) => {
      const fx = w.tenant(t);
      const put = await w.h.registry.configs.put(fx.actor, fx.scope, w.site(t), { site: w.site(t) });
      return { url: `/api/v1/sites/${w.site(t)}/config/versions/${put.document.version}` };
    },
  },
  {
    method: 'POST', route: '/api/v1/sites/:siteId/commands', access: 'sites:command', kind: 'site', status: 202,
    build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/commands`, body: { action: { type: 'write', tag: 'breaker.open', value: true }, ttlSeconds: 60 } }),
  },
  { method: 'GET', route: '/api/v1/sites/:siteId/commands', access: 'sites:command', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/commands` }) },
  {
    method: 'GET', route: '/api/v1/sites/:siteId/commands/:commandId', access: 'sites:command', kind: 'site', status: 200,
    build: async (w, t) => {
      const fx = w.tenant(t);
      const { view } = await w.h.registry.commands.create(fx.actor, fx.scope, w.site(t), { type: 'write', tag: 'x', value: 1 }, 60_000);
      return { url: `/api/v1/sites/${w.site(t)}/commands/${view.id}` };
    },
  },

  // --- telemetry ---
  { method: 'GET', route: '/api/v1/sites/:siteId/telemetry', access: 'telemetry:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/telemetry?${range}&tags=t1,t2` }) },
  {
    method: 'GET', route: '/api/v1/sites/:siteId/telemetry/downsampled', access: 'telemetry:read', kind: 'site', status: 200,
    build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/telemetry/downsampled?${range}&tags=t1&interval=5m&aggregate=max` }),
  },
  { method: 'GET', route: '/api/v1/sites/:siteId/telemetry/latest', access: 'telemetry:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/sites/${w.site(t)}/telemetry/latest` }) },
  { method: 'GET', route: '/api/v1/assets/:id/telemetry', access: 'telemetry:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}/telemetry?${range}` }) },
  {
    method: 'GET', route: '/api/v1/assets/:id/telemetry/downsampled', access: 'telemetry:read', kind: 'site', status: 200,
    build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}/telemetry/downsampled?${range}&interval=1m` }),
  },
  { method: 'GET', route: '/api/v1/assets/:id/telemetry/latest', access: 'telemetry:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}/telemetry/latest` }) },

  // --- assets ---
  { method: 'GET', route: '/api/v1/assets', access: 'assets:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/assets?limit=5&kind=inverter' }) },
  { method: 'GET', route: '/api/v1/assets/nearby', access: 'assets:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/assets/nearby?lat=48.85&lon=2.35&radiusKm=10' }) },
  {
    method: 'POST', route: '/api/v1/assets', access: 'assets:write', kind: 'site', status: 201,
    build: async (w, t) => ({ url: '/api/v1/assets', body: { siteId: w.site(t), name: w.unique('Inverter'), kind: 'inverter', installDate: '2024-05-01', location: { lat: 1, lon: 2 }, metadata: { ratedKw: 250 } } }),
  },
  { method: 'GET', route: '/api/v1/assets/:id', access: 'assets:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}` }) },
  { method: 'PATCH', route: '/api/v1/assets/:id', access: 'assets:write', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}`, body: { model: 'SUN2000', serial: 'SN-1' } }) },
  { method: 'DELETE', route: '/api/v1/assets/:id', access: 'assets:write', kind: 'site', status: 204, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}` }) },
  { method: 'GET', route: '/api/v1/assets/:id/hierarchy', access: 'assets:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}/hierarchy` }) },
  { method: 'GET', route: '/api/v1/assets/:id/tags', access: 'assets:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}/tags` }) },
  { method: 'PUT', route: '/api/v1/assets/:id/tags', access: 'assets:write', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/assets/${(await w.asset(t)).id}/tags`, body: { tags: [w.unique('bound.tag')] } }) },

  // --- alerts ---
  { method: 'GET', route: '/api/v1/alerts', access: 'alerts:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/alerts?limit=5&severity=high,critical&state=unacked_active' }) },
  { method: 'GET', route: '/api/v1/alerts/counts', access: 'alerts:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/alerts/counts' }) },
  { method: 'GET', route: '/api/v1/alerts/:id', access: 'alerts:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/alerts/${(await w.alert(t)).id}` }) },
  { method: 'GET', route: '/api/v1/alerts/:id/events', access: 'alerts:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/alerts/${(await w.alert(t)).id}/events` }) },
  { method: 'POST', route: '/api/v1/alerts/:id/acknowledge', access: 'alerts:ack', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/alerts/${(await w.alert(t)).id}/acknowledge`, body: { comment: 'on it' } }) },
  { method: 'POST', route: '/api/v1/alerts/:id/shelve', access: 'alerts:shelve', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/alerts/${(await w.alert(t)).id}/shelve`, body: { durationSeconds: 3600 } }) },
  { method: 'POST', route: '/api/v1/alerts/:id/unshelve', access: 'alerts:shelve', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/alerts/${(await w.alert(t, 'shelved')).id}/unshelve`, body: {} }) },
  { method: 'POST', route: '/api/v1/alerts/:id/comments', access: 'alerts:comment', kind: 'site', status: 201, build: async (w, t) => ({ url: `/api/v1/alerts/${(await w.alert(t)).id}/comments`, body: { text: 'checked locally' } }) },

  // --- work orders ---
  { method: 'GET', route: '/api/v1/workorders', access: 'workorders:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/workorders?limit=5&state=draft,open' }) },
  {
    method: 'POST', route: '/api/v1/workorders', access: 'workorders:write', kind: 'site', status: 201,
    build: async (w, t) => ({ url: '/api/v1/workorders', body: { siteId: w.site(t), title: 'Replace fan', type: 'corrective', priority: 'high', tasks: ['isolate', 'replace', 'test'], submit: true } }),
  },
  { method: 'GET', route: '/api/v1/workorders/:id', access: 'workorders:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/workorders/${(await w.workOrder(t)).id}` }) },
  {
    method: 'PATCH', route: '/api/v1/workorders/:id', access: 'workorders:write', kind: 'site', status: 200,
    build: async (w, t) => {
      const wo = await w.workOrder(t);
      return { url: `/api/v1/workorders/${wo.id}`, body: { priority: 'urgent' }, headers: { 'if-match': `"${wo.version}"` } };
    },
  },
  {
    method: 'POST', route: '/api/v1/workorders/:id/transitions/:name', access: 'workorders:write', kind: 'site', status: 200, label: 'submit',
    build: async (w, t) => {
      const wo = await w.workOrder(t);
      return { url: `/api/v1/workorders/${wo.id}/transitions/submit`, body: { version: wo.version } };
    },
  },
  {
    method: 'POST', route: '/api/v1/workorders/:id/transitions/:name', access: 'workorders:write', extra: 'workorders:manage', kind: 'site', status: 200, label: 'assign',
    build: async (w, t) => {
      const wo = await w.workOrder(t, ['submit']);
      return { url: `/api/v1/workorders/${wo.id}/transitions/assign`, body: { version: wo.version, assigneeId: w.technicianId() } };
    },
  },
  {
    method: 'POST', route: '/api/v1/workorders/:id/transitions/:name', access: 'workorders:write', extra: 'workorders:manage', kind: 'site', status: 200, label: 'close',
    build: async (w, t) => {
      const wo = await w.workOrder(t, ['submit', 'assign', 'start', 'complete']);
      return { url: `/api/v1/workorders/${wo.id}/transitions/close`, headers: { 'if-match': `"${wo.version}"` }, body: {} };
    },
  },
  { method: 'GET', route: '/api/v1/workorders/:id/history', access: 'workorders:read', kind: 'site', status: 200, build: async (w, t) => ({ url: `/api/v1/workorders/${(await w.workOrder(t)).id}/history` }) },
  { method: 'POST', route: '/api/v1/workorders/:id/comments', access: 'workorders:write', kind: 'site', status: 201, build: async (w, t) => ({ url: `/api/v1/workorders/${(await w.workOrder(t)).id}/comments`, body: { text: 'ordered the part' } }) },
  { method: 'POST', route: '/api/v1/workorders/:id/tasks', access: 'workorders:write', kind: 'site', status: 201, build: async (w, t) => ({ url: `/api/v1/workorders/${(await w.workOrder(t)).id}/tasks`, body: { title: 'torque check' } }) },
  {
    method: 'PATCH', route: '/api/v1/workorders/:id/tasks/:taskId', access: 'workorders:write', kind: 'site', status: 200,
    build: async (w, t) => {
      const wo = await w.workOrder(t);
      return { url: `/api/v1/workorders/${wo.id}/tasks/${wo.tasks[0]!.id}`, body: { done: true } };
    },
  },
  {
    method: 'DELETE', route: '/api/v1/workorders/:id/tasks/:taskId', access: 'workorders:write', kind: 'site', status: 204,
    build: async (w, t) => {
      const wo = await w.workOrder(t);
      return { url: `/api/v1/workorders/${wo.id}/tasks/${wo.tasks[0]!.id}` };
    },
  },
  {
    method: 'POST', route: '/api/v1/workorders/:id/parts', access: 'workorders:write', kind: 'site', status: 201,
    build: async (w, t) => ({ url: `/api/v1/workorders/${(await w.workOrder(t)).id}/parts`, body: { partNumber: 'FAN-120', quantity: 2, unitCostCents: 4599 } }),
  },
  {
    method: 'DELETE', route: '/api/v1/workorders/:id/parts/:partId', access: 'workorders:write', kind: 'site', status: 204,
    build: async (w, t) => {
      const wo = await w.workOrder(t);
      const fx = w.tenant(t);
      const part = await w.h.registry.workOrders.addPart(fx.actor, fx.scope, wo.id, { partNumber: 'P', quantity: 1, unitCostCents: 1 });
      return { url: `/api/v1/workorders/${wo.id}/parts/${part.id}` };
    },
  },
  {
    method: 'POST', route: '/api/v1/workorders/:id/labour', access: 'workorders:write', kind: 'site', status: 201,
    build: async (w, t) => ({ url: `/api/v1/workorders/${(await w.workOrder(t)).id}/labour`, body: { technician: 'Ana', minutes: 90, rateCentsPerHour: 6500, note: 'swap' } }),
  },
  {
    method: 'DELETE', route: '/api/v1/workorders/:id/labour/:labourId', access: 'workorders:write', kind: 'site', status: 204,
    build: async (w, t) => {
      const wo = await w.workOrder(t);
      const fx = w.tenant(t);
      const l = await w.h.registry.workOrders.addLabour(fx.actor, fx.scope, wo.id, { technician: 'x', minutes: 1, rateCentsPerHour: 1 });
      return { url: `/api/v1/workorders/${wo.id}/labour/${l.id}` };
    },
  },
  { method: 'GET', route: '/api/v1/workorder-rules', access: 'workorder-rules:read', kind: 'collection', status: 200, build: async () => ({ url: '/api/v1/workorder-rules' }) },
  {
    method: 'POST', route: '/api/v1/workorder-rules', access: 'workorder-rules:write', kind: 'collection', status: 201,
    build: async (w) => ({ url: '/api/v1/workorder-rules', body: json({ name: w.unique('critical inverters'), assetKind: 'inverter', siteId: 'a-s1' }) }),
  },
  { method: 'PATCH', route: '/api/v1/workorder-rules/:id', access: 'workorder-rules:write', kind: 'tenant', status: 200, build: async (w, t) => ({ url: `/api/v1/workorder-rules/${await w.rule(t)}`, body: { enabled: false } }) },
  { method: 'DELETE', route: '/api/v1/workorder-rules/:id', access: 'workorder-rules:write', kind: 'tenant', status: 204, build: async (w, t) => ({ url: `/api/v1/workorder-rules/${await w.rule(t)}` }) },

  // --- live stream ---
  { method: 'GET', route: '/api/v1/stream', access: 'alerts:read', kind: 'site', status: 200, stream: true, build: async (w, t) => ({ url: `/api/v1/stream?types=alerts&site=${w.site(t)}` }) },
];
