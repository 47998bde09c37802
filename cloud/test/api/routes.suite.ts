import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttTopic } from '@dcmms/shared';
import { bootstrapAdmin, registryAlertEventSink, registryCredentialVerifier, registryEdgeResultSink, registrySiteStatusSink } from '../../src/registry/index.js';
import type { TelemetryRow } from '../../src/ports/telemetry-store.js';
import { alertEvent } from '../registry/fixtures.js';
import { call, isProblem, type Answer } from './client.js';
import { T0, startApi, type ApiHarness, type EngineSet } from './harness.js';
import { buildWorld, type World } from './world.js';

type Json = Record<string, unknown> & { items?: Array<Record<string, unknown>> };

/** Route behaviour beyond access: the flows a control room and a maintenance team go through. */
export function routesSuite(engine: string, engines: () => EngineSet): void {
  describe(`API routes on ${engine}`, () => {
    let h: ApiHarness;
    let w: World;
    const as = (name: string) => async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer & { json: Json }> => {
      const a = await call(h, { method, url, body, headers: { ...w.principal(name).headers, ...headers } });
      return { ...a, json: a.body as Json };
    };
    const problemCode = (a: Answer) => (isProblem(a) ? (a.body as { code: string }).code : `not a problem: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);

    beforeAll(async () => {
      h = await startApi(engines());
      w = await buildWorld(h);
    });
    afterAll(async () => h?.close());

    describe('auth', () => {
      it('login, me, refresh rotation with reuse detection, logout', async () => {
        const u = await w.user('own');
        const login = await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username.toUpperCase(), password: u.password } });
        expect(login.status).toBe(200);
        const tokens = login.body as { accessToken: string; refreshToken: string; expiresAt: number };
        expect(tokens.expiresAt).toBe(T0 + 900_000);
        const me = await call(h, { method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
        expect(me.body).toMatchObject({ kind: 'user', name: u.username, role: 'technician', sites: null, tenantId: w.a.tenantId });
        expect((me.body as { permissions: string[] }).permissions).toContain('workorders:write');
        expect((me.body as { permissions: string[] }).permissions).not.toContain('workorders:manage');

        const r1 = await call(h, { method: 'POST', url: '/api/v1/auth/refresh', body: { refreshToken: tokens.refreshToken } });
        expect(r1.status).toBe(200);
        const next = r1.body as { refreshToken: string; accessToken: string };
        expect(next.refreshToken).not.toBe(tokens.refreshToken);
        // The first token again: reuse. The family dies, including the token just issued.
        const reuse = await call(h, { method: 'POST', url: '/api/v1/auth/refresh', body: { refreshToken: tokens.refreshToken } });
        expect([reuse.status, problemCode(reuse)]).toEqual([401, 'DCMMS_AUTH_REFRESH_REUSED']);
        const dead = await call(h, { method: 'POST', url: '/api/v1/auth/refresh', body: { refreshToken: next.refreshToken } });
        expect([dead.status, problemCode(dead)]).toEqual([401, 'DCMMS_AUTH_REFRESH_INVALID']);

        const again = (await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username, password: u.password } })).body as { refreshToken: string };
        expect((await call(h, { method: 'POST', url: '/api/v1/auth/logout', body: { refreshToken: again.refreshToken } })).status).toBe(204);
        expect((await call(h, { method: 'POST', url: '/api/v1/auth/refresh', body: { refreshToken: again.refreshToken } })).status).toBe(401);
      });

      it('wrong passwords and unknown users look the same; repeated failures lock the name', async () => {
        const u = await w.user('own');
        const wrong = await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username, password: 'nope' } });
        const unknown = await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: 'nobody-at-all', password: 'nope' } });
        expect([wrong.status, problemCode(wrong)]).toEqual([401, 'DCMMS_AUTH_INVALID_CREDENTIALS']);
        expect((unknown.body as { detail: string }).detail).toBe((wrong.body as { detail: string }).detail);
        for (let i = 0; i < 9; i++) await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username, password: `nope${i}` } });
        const locked = await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username, password: u.password } });
        expect([locked.status, problemCode(locked)]).toEqual([429, 'DCMMS_API_LOGIN_LOCKED']);
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
        h.clock.advance(15 * 60_000 + 1);
        const ok = await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username, password: u.password } });
        expect(ok.status).toBe(200);
        h.clock.set(T0);
      });

      it('access tokens expire; disabled users cannot log in or refresh', async () => {
        const u = await w.user('own');
        const tokens = (await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username, password: u.password } })).body as { accessToken: string; refreshToken: string };
        h.clock.advance(901_000);
        const expired = await call(h, { method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
        expect([expired.status, problemCode(expired)]).toEqual([401, 'DCMMS_API_TOKEN_EXPIRED']);
        h.clock.set(T0);
        expect((await as('admin')('DELETE', `/api/v1/users/${u.id}`)).status).toBe(204);
        expect((await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: u.username, password: u.password } })).status).toBe(401);
        expect((await call(h, { method: 'POST', url: '/api/v1/auth/refresh', body: { refreshToken: tokens.refreshToken } })).status).toBe(401);
      });

      it('bootstraps an admin once, with a generated password printed once', async () => {
        const first = await bootstrapAdmin(h.registry, { username: 'root' });
        // The world already has users: nothing is created.
        expect(first.created).toBe(false);
      });

      it('API keys: shown once, work as credentials, revocable, never listed with their secret', async () => {
        const created = await as('admin')('POST', '/api/v1/api-keys', { name: 'scada bridge', role: 'viewer', sites: ['a-s1'] });
        expect(created.status).toBe(201);
        const key = created.json['key'] as string;
        expect(key).toMatch(/^dcmms_[0-9a-f-]{36}_/);
        const me = await call(h, { method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `ApiKey ${key}` } });
        expect(me.body).toMatchObject({ kind: 'api_key', role: 'viewer', sites: ['a-s1'] });
        const list = await as('admin')('GET', '/api/v1/api-keys');
        expect(JSON.stringify(list.json)).not.toContain(key.slice(43));
        const id = (created.json['apiKey'] as { id: string }).id;
        expect((await as('admin')('DELETE', `/api/v1/api-keys/${id}`)).json['revokedAt']).toBe(T0);
        expect((await call(h, { method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': key } })).status).toBe(401);
      });
    });

    describe('sites and edges', () => {
      it('site CRUD with versions; ids are global', async () => {
        const admin = as('admin');
        const created = await admin('POST', '/api/v1/sites', { id: 'plant-north', name: 'North plant', timezone: 'Europe/Berlin', location: { lat: 52.5, lon: 13.4 }, metadata: { capacityKw: 5000 } });
        expect(created.status).toBe(201);
        expect(created.json).toMatchObject({ id: 'plant-north', version: 1, location: { lat: 52.5, lon: 13.4 } });
        const dup = await as('admin')('POST', '/api/v1/sites', { id: 'b-s1', name: 'taken in another tenant' });
        expect([dup.status, problemCode(dup)]).toEqual([409, 'DCMMS_REGISTRY_CONFLICT']);
        const got = await admin('GET', '/api/v1/sites/plant-north');
        expect(got.headers['etag']).toBe('"1"');
        const stale = await admin('PATCH', '/api/v1/sites/plant-north', { name: 'x' }, { 'if-match': '"7"' });
        expect([stale.status, problemCode(stale)]).toEqual([412, 'DCMMS_REGISTRY_STALE_VERSION']);
        const patched = await admin('PATCH', '/api/v1/sites/plant-north', { name: 'North', version: 1 });
        expect(patched.json).toMatchObject({ name: 'North', version: 2 });
        const tz = await admin('POST', '/api/v1/sites', { id: 'bad-tz', name: 'x', timezone: 'Mars/Olympus' });
        expect([tz.status, problemCode(tz)]).toEqual([400, 'DCMMS_API_VALIDATION_FAILED']);
        expect((await admin('DELETE', '/api/v1/sites/plant-north')).status).toBe(204);
        expect((await admin('GET', '/api/v1/sites/plant-north')).status).toBe(404);
      });

      it('MQTT credentials: secret shown once, checked by the gateway port, rotated', async () => {
        const admin = as('admin');
        const issued = await admin('POST', '/api/v1/sites/a-s2/credentials', { graceSeconds: 0 });
        expect(issued.status).toBe(201);
        expect(issued.headers['cache-control']).toBe('no-store');
        const secret = issued.json['secret'] as string;
        const verifier = registryCredentialVerifier(h.registry);
        expect(await verifier.verify('a-s2', secret)).toEqual({ tenantId: w.a.tenantId });
        const rotated = await admin('POST', '/api/v1/sites/a-s2/credentials', {});
        expect(await verifier.verify('a-s2', secret)).toBeNull();
        expect(await verifier.verify('a-s2', rotated.json['secret'] as string)).not.toBeNull();
        const list = await admin('GET', '/api/v1/sites/a-s2/credentials');
        expect(JSON.stringify(list.json)).not.toContain(secret);
      });

      it('site config: validated by the shared schema, versioned, pushed retained, desired vs applied', async () => {
        const sup = as('supervisor');
        const bad = await sup('PUT', '/api/v1/sites/a-s1/config', {
          body: { site: 'a-s1', devices: [{ name: 'inv1', protocol: 'modbus-tcp', host: 'inv1.local', port: 70000, tags: [] }] },
        });
        expect([bad.status, problemCode(bad)]).toEqual([422, 'DCMMS_SITE_CONFIG_INVALID']);
        expect(JSON.stringify(bad.json['errors'])).toContain('body.devices[0]');
        const wrongSite = await sup('PUT', '/api/v1/sites/a-s1/config', { body: { site: 'a-s2' } });
        expect(JSON.stringify(wrongSite.json['errors'])).toContain('body.site');

        const before = (await sup('GET', '/api/v1/sites/a-s1/config')).json;
        const base = (before['desired'] as { version: number } | null)?.version ?? 0;
        const put = await sup('PUT', '/api/v1/sites/a-s1/config', { body: { site: 'a-s1', description: 'v-next' }, version: base });
        expect(put.status).toBe(201);
        expect(put.json).toMatchObject({ delivered: true, document: { version: base + 1, body: { site: 'a-s1', description: 'v-next' } } });
        const pushed = h.downlink.filter((m) => m.topic === mqttTopic('a-s1', 'config')).at(-1);
        expect(pushed).toMatchObject({ retain: true, json: { site: 'a-s1', version: base + 1, body: { description: 'v-next' } } });
        const stale = await sup('PUT', '/api/v1/sites/a-s1/config', { body: { site: 'a-s1' } }, { 'if-match': `"${base}"` });
        expect([stale.status, problemCode(stale)]).toEqual([412, 'DCMMS_REGISTRY_STALE_VERSION']);

        let state = (await sup('GET', '/api/v1/sites/a-s1/config')).json;
        expect(state).toMatchObject({ inSync: false, desired: { version: base + 1 } });
        await registryEdgeResultSink(h.registry).applyConfigResult({ site: 'a-s1', version: base + 1, status: 'applied', ts: T0 + 5 });
        state = (await sup('GET', '/api/v1/sites/a-s1/config')).json;
        expect(state).toMatchObject({ inSync: true, appliedVersion: base + 1, desired: { result: { status: 'applied', at: T0 + 5 } } });
        const versions = await sup('GET', '/api/v1/sites/a-s1/config/versions?limit=1');
        expect(versions.json.items).toHaveLength(1);
        expect(versions.json['nextCursor'] === null).toBe(base === 0);
      });

      it('status from the edge, commands down and their results up', async () => {
        await registrySiteStatusSink(h.registry).applySiteStatus({ site: 'a-s1', state: 'online', ts: T0, agentVersion: '0.1.0', appliedConfigVersion: 1, buffer: { batches: 1, readings: 10, bytes: 100, oldestTs: T0 - 10, lastSeq: 5, ackedSeq: 5 } });
        const status = await as('viewer@a-s1')('GET', '/api/v1/sites/a-s1/status');
        expect(status.json).toMatchObject({ state: 'online', lastSeenAt: T0, agentVersion: '0.1.0', buffer: { readings: 10 } });
        expect((await as('viewer')('GET', '/api/v1/sites/a-s2/status')).json['state']).toBe('unknown');

        const sent = await as('supervisor')('POST', '/api/v1/sites/a-s1/commands', { action: { type: 'write', tag: 'breaker.open', value: true } });
        expect(sent.status).toBe(202);
        const command = (sent.json['command'] as { id: string });
        expect(h.downlink.find((m) => m.topic === mqttTopic('a-s1', 'commands') && (m.json as { id: string }).id === command.id)?.json).toMatchObject({
          site: 'a-s1',
          action: { type: 'write', tag: 'breaker.open', value: true },
          expiresAt: T0 + 300_000,
        });
        await registryEdgeResultSink(h.registry).applyCommandResult({ commandId: command.id, site: 'a-s1', status: 'rejected', reason: 'tag not writable', ts: T0 + 1 });
        expect((await as('supervisor')('GET', `/api/v1/sites/a-s1/commands/${command.id}`)).json).toMatchObject({ status: 'rejected', reason: 'tag not writable' });
      });

      it('completeness report from the ingest ledger', async () => {
        await h.ledger.recordBatches([1, 2, 5].map((seq) => ({ site: 'a-s1', stream: 'live' as const, seq, readings: 10, fromTs: T0 + seq, toTs: T0 + seq + 1, receivedAt: T0 + 100 })));
        const r = await as('viewer')('GET', `/api/v1/sites/a-s1/completeness?from=${new Date(T0).toISOString()}&to=${T0 + 60_000}`);
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({ site: 'a-s1', batches: 3, readings: 30, missing: [{ fromSeq: 3, toSeq: 4 }] });
        const backwards = await as('viewer')('GET', `/api/v1/sites/a-s1/completeness?from=${T0}&to=${T0 - 1}`);
        expect(backwards.status).toBe(400);
      });
    });

    describe('assets and telemetry', () => {
      it('hierarchy, cycles and depth refused, filters, nearby, bbox, pagination', async () => {
        const sup = as('supervisor');
        const mk = async (name: string, parentId: string | null, extra: Record<string, unknown> = {}) => {
          const r = await sup('POST', '/api/v1/assets', { siteId: 'a-s2', name, kind: 'pv-string', parentId, ...extra });
          expect(r.status, JSON.stringify(r.body)).toBe(201);
          return r.json['id'] as string;
        };
        const field = await mk('Field 1', null, { location: { lat: 45.0, lon: 5.0 } });
        const inverter = await mk('Inverter 1', field, { manufacturer: 'Huawei', model: 'SUN2000-100KTL', serial: 'HW-0001' });
        const mppt = await mk('MPPT 1', inverter);
        const str = await mk('String 1', mppt);
        const cell = await mk('Combiner', str);
        const deep = await sup('POST', '/api/v1/assets', { siteId: 'a-s2', name: 'too deep', kind: 'x', parentId: cell });
        expect([deep.status, problemCode(deep)]).toEqual([422, 'DCMMS_ASSET_TOO_DEEP']);
        const cycle = await sup('PATCH', `/api/v1/assets/${field}`, { parentId: str });
        expect([cycle.status, problemCode(cycle)]).toEqual([409, 'DCMMS_ASSET_CYCLE']);
        const tree = await sup('GET', `/api/v1/assets/${inverter}/hierarchy`);
        expect((tree.json['ancestors'] as Array<{ name: string }>).map((a) => a.name)).toEqual(['Field 1']);
        expect(JSON.stringify(tree.json['asset'])).toContain('Combiner');
        const text = await sup('GET', '/api/v1/assets?q=sun2000&siteId=a-s2');
        expect(text.json.items?.map((a) => a['name'])).toEqual(['Inverter 1']);
        const near = await sup('GET', '/api/v1/assets/nearby?lat=45.01&lon=5.01&radiusKm=5');
        expect(near.json.items?.map((a) => a['name'])).toEqual(['Field 1']);
        const box = await sup('GET', '/api/v1/assets?bbox=4.9,44.9,5.1,45.1');
        expect(box.json.items?.map((a) => a['name'])).toEqual(['Field 1']);
        // Cursor pagination walks every asset of the site once.
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Answer & { json: Json } = await sup('GET', `/api/v1/assets?siteId=a-s2&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...(page.json.items ?? []).map((a) => a['id'] as string));
          cursor = page.json['nextCursor'] as string | null;
        } while (cursor !== null);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(expect.arrayContaining([field, inverter, mppt, str, cell]));
        expect((await sup('DELETE', `/api/v1/assets/${field}`)).status).toBe(409);
      });

      it('raw range, downsampled, latest; bounded results', async () => {
        const asset = await w.asset('own', ['inv9.p', 'inv9.t']);
        const rows: TelemetryRow[] = [];
        for (let i = 0; i < 120; i++) {
          rows.push({ site: 'a-s1', asset: asset.id, tag: 'inv9.p', ts: T0 + i * 1000, value: i * 10, text: null, quality: 'good', receivedAt: T0 + i * 1000 + 5 });
          rows.push({ site: 'a-s1', asset: asset.id, tag: 'inv9.t', ts: T0 + i * 1000, value: 40 + (i % 7) * 0.5, text: null, quality: i === 119 ? 'bad' : 'good', receivedAt: T0 + i * 1000 + 5 });
        }
        await h.writeTelemetry(rows);
        const viewer = as('viewer@a-s1');
        const latest = await viewer('GET', `/api/v1/assets/${asset.id}/telemetry/latest`);
        expect(latest.status).toBe(200);
        expect(latest.json['asset']).toMatchObject({ id: asset.id });
        const values = (latest.json['values'] as Array<{ tag: string; ts: number; value: number; quality: string }>).sort((x, y) => x.tag.localeCompare(y.tag));
        expect(values.map((v) => [v.tag, v.ts, v.value, v.quality])).toEqual([['inv9.p', T0 + 119_000, 1190, 'good'], ['inv9.t', T0 + 119_000, 40 + (119 % 7) * 0.5, 'bad']]);

        const raw = await viewer('GET', `/api/v1/assets/${asset.id}/telemetry?from=${T0}&to=${T0 + 10_000}&tags=inv9.p`);
        expect((raw.json['rows'] as unknown[]).length).toBe(10);
        const tooMany = await viewer('GET', `/api/v1/assets/${asset.id}/telemetry?from=${T0}&to=${T0 + 200_000}&limit=100`);
        expect([tooMany.status, problemCode(tooMany)]).toEqual([422, 'DCMMS_API_QUERY_TOO_LARGE']);
        const down = await viewer('GET', `/api/v1/assets/${asset.id}/telemetry/downsampled?from=${T0}&to=${T0 + 120_000}&tags=inv9.p&interval=1m&aggregate=max`);
        expect((down.json['points'] as Array<{ ts: number; value: number }>).map((p) => [p.ts, p.value])).toEqual([[T0, 590], [T0 + 60_000, 1190]]);
        const count = await viewer('GET', `/api/v1/sites/a-s1/telemetry/downsampled?from=${T0}&to=${T0 + 120_000}&tags=inv9.t&interval=30s&aggregate=count`);
        expect((count.json['points'] as Array<{ value: number }>).map((p) => p.value)).toEqual([30, 30, 30, 30]);
        const buckets = await viewer('GET', `/api/v1/sites/a-s1/telemetry/downsampled?from=0&to=${T0}&tags=inv9.t&interval=1s`);
        expect([buckets.status, problemCode(buckets)]).toEqual([422, 'DCMMS_API_QUERY_TOO_LARGE']);
        const unbound = await viewer('GET', `/api/v1/assets/${asset.id}/telemetry/latest?tags=other.tag`);
        expect([unbound.status, problemCode(unbound)]).toEqual([400, 'DCMMS_API_VALIDATION_FAILED']);
        const site = await viewer('GET', '/api/v1/sites/a-s1/telemetry/latest?tags=inv9.p');
        expect((site.json['values'] as unknown[]).length).toBe(1);
      });
    });

    describe('alerts', () => {
      it('intake -> list, counts, detail; acknowledge, shelve, unshelve, comment flow down to the edge', async () => {
        const sink = registryAlertEventSink(h.registry);
        await sink.applyAlertEvents([alertEvent('a-s2', { alertId: 'flow.alarm', eventSeq: 50_001, severity: 'high', ts: T0 + 10 })]);
        const tech = as('technician');
        const list = await tech('GET', '/api/v1/alerts?siteId=a-s2&state=unacked_active&severity=high');
        const alert = list.json.items?.find((a) => a['alertKey'] === 'flow.alarm');
        expect(alert).toMatchObject({ state: 'unacked_active', active: true, severity: 'high', occurrence: 1 });
        const id = alert!['id'] as string;
        const counts = await tech('GET', '/api/v1/alerts/counts?siteId=a-s2');
        expect((counts.json['byState'] as Record<string, number>)['unacked_active']).toBeGreaterThanOrEqual(1);

        const ack = await tech('POST', `/api/v1/alerts/${id}/acknowledge`, { comment: 'seen, crew on the way' });
        expect(ack.json).toMatchObject({ delivered: true, alert: { state: 'acked_active', ackedBy: 'user.technician' } });
        const down = h.downlink.filter((m) => m.topic === mqttTopic('a-s2', 'alert-actions')).at(-1);
        expect(down?.json).toMatchObject({ site: 'a-s2', alertId: 'flow.alarm', occurrence: 1, action: 'acknowledge', actor: 'user.technician', comment: 'seen, crew on the way' });
        const twice = await tech('POST', `/api/v1/alerts/${id}/acknowledge`, {});
        expect([twice.status, problemCode(twice)]).toEqual([409, 'DCMMS_ALERT_ACTION_NOT_ALLOWED']);
        expect((await tech('POST', `/api/v1/alerts/${id}/shelve`, { durationSeconds: 600 })).status).toBe(403);
        const shelved = await as('supervisor')('POST', `/api/v1/alerts/${id}/shelve`, { durationSeconds: 600, comment: 'sensor swap' });
        expect(shelved.json).toMatchObject({ alert: { state: 'shelved', shelvedUntil: T0 + 600_000 } });
        expect(h.downlink.at(-1)?.json).toMatchObject({ action: 'shelve', shelvedUntil: T0 + 600_000 });
        const unshelved = await as('supervisor')('POST', `/api/v1/alerts/${id}/unshelve`, {});
        expect(unshelved.json).toMatchObject({ alert: { state: 'acked_active' } });
        expect((await tech('POST', `/api/v1/alerts/${id}/comments`, { text: 'fan replaced' })).status).toBe(201);
        const detail = await tech('GET', `/api/v1/alerts/${id}`);
        expect((detail.json['events'] as Array<{ kind: string; source: string }>).map((e) => `${e.kind}/${e.source}`)).toEqual([
          'comment/cloud',
          'unshelved/cloud',
          'shelved/cloud',
          'acknowledged/cloud',
          'raised/edge',
        ]);
      });
    });

    describe('work orders', () => {
      it('through every state; illegal transitions list the allowed ones; costs add up; history is complete', async () => {
        const tech = as('technician');
        const sup = as('supervisor');
        const created = await tech('POST', '/api/v1/workorders', { siteId: 'a-s1', title: 'Inverter fan noise', type: 'corrective', priority: 'high', tasks: ['isolate', 'inspect'] });
        expect(created.status).toBe(201);
        const wo = created.json as { id: string; number: string; version: number; state: string };
        expect(wo.number).toMatch(/^WO-2026-\d{6}$/);
        expect(wo.state).toBe('draft');
        const url = `/api/v1/workorders/${wo.id}`;
        const illegal = await tech('POST', `${url}/transitions/start`, { version: wo.version });
        expect([illegal.status, problemCode(illegal)]).toEqual([409, 'DCMMS_WO_TRANSITION_NOT_ALLOWED']);
        expect(illegal.json['allowed']).toEqual(['submit', 'cancel']);
        const noVersion = await tech('POST', `${url}/transitions/submit`, {});
        expect([noVersion.status, problemCode(noVersion)]).toEqual([428, 'DCMMS_API_PRECONDITION_REQUIRED']);
        let v = wo.version;
        const step = async (who: typeof tech, name: string, body: Record<string, unknown> = {}) => {
          const r = await who('POST', `${url}/transitions/${name}`, body, { 'if-match': `"${v}"` });
          expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
          v = r.json['version'] as number;
          expect(r.headers['etag']).toBe(`"${v}"`);
          return r.json;
        };
        await step(tech, 'submit');
        expect((await tech('POST', `${url}/transitions/assign`, { assigneeId: w.technicianId() }, { 'if-match': `"${v}"` })).status).toBe(403);
        expect(await step(sup, 'assign', { assigneeId: w.technicianId() })).toMatchObject({ state: 'assigned', assigneeId: w.technicianId() });
        await step(tech, 'start');
        await step(tech, 'hold', { comment: 'waiting for a fan' });
        await step(tech, 'resume');
        const task = (await tech('GET', url)).json['tasks'] as Array<{ id: string }>;
        expect((await tech('PATCH', `${url}/tasks/${task[0]!.id}`, { done: true })).json).toMatchObject({ done: true, doneBy: 'user.technician', doneAt: T0 });
        await tech('POST', `${url}/parts`, { partNumber: 'FAN-120', quantity: 2, unitCostCents: 4599 });
        await tech('POST', `${url}/labour`, { technician: 'Ana', minutes: 90, rateCentsPerHour: 6000 });
        await step(tech, 'complete');
        await step(sup, 'reopen');
        await step(tech, 'complete');
        const closed = await step(sup, 'close');
        expect(closed).toMatchObject({ state: 'closed', resolution: 'done', allowedTransitions: [], costs: { partsCents: 9198, labourCents: 9000, totalCents: 18198 } });
        const edit = await tech('PATCH', url, { title: 'x' }, { 'if-match': `"${v}"` });
        expect([edit.status, problemCode(edit)]).toEqual([409, 'DCMMS_WO_CLOSED']);
        expect((await tech('POST', `${url}/comments`, { text: 'afterwards: fan model noted' })).status).toBe(201);
        const history = await tech('GET', `${url}/history?limit=200`);
        const kinds = (history.json.items ?? []).map((e) => (e['kind'] === 'transition' ? `${String(e['fromState'])}->${String(e['toState'])}` : e['kind']));
        expect(kinds).toEqual([
          'created', 'draft->open', 'open->assigned', 'assigned->in_progress', 'in_progress->on_hold', 'on_hold->in_progress',
          'task_done', 'part_added', 'labour_added', 'in_progress->completed', 'completed->in_progress', 'in_progress->completed', 'completed->closed', 'comment',
        ]);
      });

      it('two updates with the same version: one wins, the other gets 412', async () => {
        const wo = await w.workOrder('own');
        const tech = as('technician');
        const url = `/api/v1/workorders/${wo.id}`;
        const [r1, r2] = await Promise.all([
          tech('PATCH', url, { title: 'first' }, { 'if-match': `"${wo.version}"` }),
          tech('PATCH', url, { title: 'second' }, { 'if-match': `"${wo.version}"` }),
        ]);
        expect([r1.status, r2.status].sort()).toEqual([200, 412]);
        const loser = r1.status === 412 ? r1 : r2;
        expect(problemCode(loser)).toBe('DCMMS_REGISTRY_STALE_VERSION');
        const sup = as('supervisor');
        const [t1, t2] = await Promise.all([
          sup('POST', `${url}/transitions/submit`, { version: wo.version + 1 }),
          sup('POST', `${url}/transitions/cancel`, { version: wo.version + 1 }),
        ]);
        expect([t1.status, t2.status].sort()).toEqual([200, 412]);
        const missing = await tech('PATCH', url, { title: 'no version' });
        expect(missing.status).toBe(428);
      });

      it('a critical alert opens one work order by rule, linked both ways; numbers stay unique per tenant', async () => {
        const rule = await as('supervisor')('POST', '/api/v1/workorder-rules', { name: 'critical pumps', assetKind: 'pump' });
        expect(rule.status).toBe(201);
        const pump = await as('supervisor')('POST', '/api/v1/assets', { siteId: 'a-s1', name: 'Pump 3', kind: 'pump', tags: ['pump3.pressure'] });
        const sink = registryAlertEventSink(h.registry);
        await sink.applyAlertEvents([alertEvent('a-s1', { alertId: 'pump3.lolo', ruleId: 'pressure-lolo', tag: 'pump3.pressure', eventSeq: 60_001, severity: 'critical', message: 'Pump 3 pressure low low' })]);
        await sink.applyAlertEvents([alertEvent('a-s1', { alertId: 'pump3.lolo', ruleId: 'pressure-lolo', tag: 'pump3.pressure', eventSeq: 60_002, occurrence: 2, severity: 'critical', message: 'Pump 3 pressure low low' })]);
        const wos = await as('viewer')('GET', `/api/v1/workorders?assetId=${pump.json['id'] as string}`);
        expect(wos.json.items).toHaveLength(1);
        const wo = wos.json.items![0]!;
        expect(wo).toMatchObject({ state: 'open', priority: 'urgent', type: 'corrective', ruleId: rule.json['id'] });
        const alerts = await as('viewer')('GET', `/api/v1/alerts?assetId=${pump.json['id'] as string}`);
        expect(alerts.json.items?.map((a) => a['workOrderId'])).toEqual([wo['id'], wo['id']]);
        const all = await as('viewer')('GET', '/api/v1/workorders?limit=200');
        const numbers = (all.json.items ?? []).map((x) => x['number']);
        expect(new Set(numbers).size).toBe(numbers.length);
      });
    });

    describe('audit, isolation, operations', () => {
      it('every mutation is audited with who, what, before and after', async () => {
        const asset = await as('supervisor')('POST', '/api/v1/assets', { siteId: 'a-s1', name: 'Audited', kind: 'meter' });
        const id = asset.json['id'] as string;
        await as('supervisor')('PATCH', `/api/v1/assets/${id}`, { name: 'Audited 2' }, { 'x-request-id': 'req-audit-1' });
        const log = await as('admin')('GET', `/api/v1/audit?entityType=asset&entityId=${id}`);
        const entries = log.json.items as Array<{ action: string; actor: { name: string }; before: { name: string } | null; after: { name: string }; requestId: string | null }>;
        expect(entries.map((e) => e.action)).toEqual(['asset.update', 'asset.create']);
        expect(entries[0]).toMatchObject({ actor: { name: 'user.supervisor' }, before: { name: 'Audited' }, after: { name: 'Audited 2' }, requestId: 'req-audit-1' });
        const secrets = await as('admin')('GET', '/api/v1/audit?limit=200');
        expect(JSON.stringify(secrets.json)).not.toMatch(/password_hash|secret_hash|scrypt\$/);
      });

      it('lists never show another tenant, nor other sites to a limited user', async () => {
        await w.workOrder('otherTenant');
        await w.alert('otherTenant');
        await w.alert('otherSite');
        for (const url of ['/api/v1/sites', '/api/v1/assets?limit=200', '/api/v1/alerts?limit=200', '/api/v1/workorders?limit=200']) {
          const all = await as('viewer')('GET', url);
          expect(JSON.stringify(all.json), url).not.toContain('b-s1');
          const limited = await as('viewer@a-s1')('GET', url);
          expect(JSON.stringify(limited.json), url).not.toMatch(/"a-s2"|"b-s1"/);
          expect((limited.json.items ?? []).length, url).toBeGreaterThan(0);
        }
        const counts = await as('viewer@a-s1')('GET', '/api/v1/alerts/counts?siteId=a-s2');
        expect(counts.json['total']).toBe(0);
      });

      it('health, readiness, metrics, docs, request ids, security headers, CORS', async () => {
        expect((await call(h, { method: 'GET', url: '/healthz' })).body).toEqual({ status: 'ok' });
        expect((await call(h, { method: 'GET', url: '/readyz' })).body).toMatchObject({ status: 'ok', checks: [{ name: 'registry', ok: true }, { name: 'telemetry', ok: true }] });
        const metrics = await call(h, { method: 'GET', url: '/metrics' });
        expect(String(metrics.body)).toContain('dcmms_api_request_duration_seconds_bucket');
        const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
        expect(docs.statusCode).toBe(200);
        expect(docs.body).toContain('swagger');
        const spec = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as { openapi: string; paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
        expect(spec.openapi).toBe('3.1.0');
        expect(Object.keys(spec.paths).length).toBeGreaterThan(40);
        expect(spec.paths['/api/v1/workorders/{id}/transitions/{name}']?.['post']?.responses['409']).toBeDefined();
        expect(spec.paths['/api/v1/alerts']?.['get']?.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
        expect(spec.components.schemas['Problem']).toBeDefined();
        const withId = await call(h, { method: 'GET', url: '/api/v1/auth/me', headers: { ...w.principal('viewer').headers, 'x-request-id': 'trace-me-42' } });
        expect(withId.headers['x-request-id']).toBe('trace-me-42');
        expect(withId.headers['x-content-type-options']).toBe('nosniff');
        const notFound = await call(h, { method: 'GET', url: '/api/v1/nothing-here' });
        expect([notFound.status, problemCode(notFound)]).toEqual([404, 'DCMMS_API_ROUTE_NOT_FOUND']);
        expect((notFound.body as { requestId: string }).requestId).toBe(notFound.headers['x-request-id']);
        const cors = await h.app.inject({ method: 'OPTIONS', url: '/api/v1/sites', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
        expect(cors.headers['access-control-allow-origin']).toBeUndefined();
      });
    });
  });
}
