import { describe, expect, it } from 'vitest';
import { isDcmmsError } from '@dcmms/shared';
import {
  registryAlertEventSink,
  registryCredentialVerifier,
  registryEdgeResultSink,
  registrySiteDirectory,
  registrySiteStatusSink,
} from '../../src/registry/index.js';
import type { TestRegistry } from '../support/registry-db.js';
import { alertEvent, openFixture, seedTenant, uniqueSiteId, type RegistryFixture } from './fixtures.js';

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(isDcmmsError(caught, code), `expected ${code}, got ${String((caught as Error | undefined)?.message ?? 'no error')}`).toBe(true);
}

/** The registry's behaviour, run against SQLite in `npm test` and PostgreSQL in `npm run test:engines`. */
export function registrySuite(engine: string, open: () => Promise<TestRegistry>): void {
  const withFixture = (fn: (f: RegistryFixture) => Promise<void>) => async () => {
    const f = await openFixture(open);
    try {
      await fn(f);
    } finally {
      await f.drop();
    }
  };

  describe(`registry on ${engine}`, () => {
    it(
      'alert intake is idempotent on (alert, occurrence, eventSeq) and never rolls state back',
      withFixture(async ({ registry }) => {
        const t = await seedTenant(registry);
        const site = uniqueSiteId();
        await registry.sites.create(t.actor, t.scope, { id: site, name: 'Plant' });
        const sink = registryAlertEventSink(registry);
        const raised = alertEvent(site, { eventSeq: 10 });
        const acked = alertEvent(site, { eventSeq: 11, kind: 'acknowledged', state: 'acked_active', actor: 'edge-op', ts: raised.ts + 1000 });
        const cleared = alertEvent(site, { eventSeq: 12, kind: 'cleared', state: 'normal', ts: raised.ts + 2000 });
        await sink.applyAlertEvents([raised, acked]);
        await sink.applyAlertEvents([raised, acked, cleared]); // Kafka redelivery
        await sink.applyAlertEvents([acked]); // a late duplicate after the clear
        const page = await registry.alerts.list(t.scope, { siteId: site }, { limit: 10 });
        expect(page.items).toHaveLength(1);
        const alert = page.items[0]!;
        expect(alert).toMatchObject({ state: 'normal', active: false, ackedBy: 'edge-op', clearedAt: raised.ts + 2000, severity: 'critical' });
        const events = await registry.alerts.events(t.scope, alert.id, { limit: 10 });
        expect(events.items.map((e) => e.eventSeq)).toEqual([12, 11, 10]);
        // An older event never seen before is kept as history but does not change the state.
        await sink.applyAlertEvents([alertEvent(site, { eventSeq: 9, kind: 'shelved', state: 'shelved', ts: raised.ts - 10 })]);
        expect((await registry.alerts.get(t.scope, alert.id))?.state).toBe('normal');
        expect((await registry.alerts.events(t.scope, alert.id, { limit: 10 })).items).toHaveLength(4);
        // A new occurrence is a new alert row.
        await sink.applyAlertEvents([alertEvent(site, { eventSeq: 13, occurrence: 2, ts: raised.ts + 5000 })]);
        expect((await registry.alerts.list(t.scope, { siteId: site }, { limit: 10 })).items.map((a) => a.occurrence)).toEqual([2, 1]);
        // Events of a site nobody registered are dropped without failing the batch.
        await expect(registry.alerts.applyEdgeEvents([alertEvent('nowhere-site')])).resolves.toBe(0);
      }),
    );

    it(
      'odd characters from the edge (NUL) are stored, not retried forever',
      withFixture(async ({ registry }) => {
        const t = await seedTenant(registry);
        const site = uniqueSiteId();
        await registry.sites.create(t.actor, t.scope, { id: site, name: 'Plant' });
        await registryAlertEventSink(registry).applyAlertEvents([alertEvent(site, { eventSeq: 1, message: 'bad\u0000byte', actor: 'op\u0000' })]);
        await registrySiteStatusSink(registry).applySiteStatus({ site, state: 'online', ts: 1, appliedConfigVersion: null, agentVersion: 'v\u00001' });
        const [alert] = (await registry.alerts.list(t.scope, { siteId: site }, { limit: 1 })).items;
        expect(alert?.message).toBe('bad\ufffdbyte');
        expect((await registry.siteStatus.get(t.scope, site)).agentVersion).toBe('v\ufffd1');
      }),
    );

    it(
      'a critical alert opens one work order per asset and alert rule while it is open, linked both ways',
      withFixture(async ({ registry, clock }) => {
        const t = await seedTenant(registry);
        const site = uniqueSiteId();
        await registry.sites.create(t.actor, t.scope, { id: site, name: 'Plant' });
        const inverter = await registry.assets.create(t.actor, t.scope, { siteId: site, name: 'Inverter 1', kind: 'inverter', tags: ['inv1.temp'] });
        await registry.workOrders.rules.create(t.actor, t.scope, { name: 'critical inverters', siteId: null, assetKind: 'inverter', alertRuleId: null, minSeverity: 'critical', woType: 'corrective', woPriority: 'urgent', enabled: true });
        const sink = registryAlertEventSink(registry);
        await sink.applyAlertEvents([alertEvent(site, { eventSeq: 1 }), alertEvent(site, { eventSeq: 2, kind: 'cleared', state: 'unacked_rtn' })]);
        await sink.applyAlertEvents([alertEvent(site, { eventSeq: 3, occurrence: 2 })]);
        // A high (not critical) alert on the same asset opens nothing.
        await sink.applyAlertEvents([alertEvent(site, { eventSeq: 4, alertId: 'inv1.temp.hi', ruleId: 'temp-hi', severity: 'high' })]);
        const wos = await registry.workOrders.list(t.scope, { siteId: site }, { limit: 10 });
        expect(wos.items).toHaveLength(1);
        const wo = wos.items[0]!;
        expect(wo).toMatchObject({ state: 'open', assetId: inverter.id, priority: 'urgent', type: 'corrective' });
        expect(wo.number).toMatch(/^WO-2026-000001$/);
        const alerts = await registry.alerts.list(t.scope, { siteId: site, severity: ['critical'] }, { limit: 10 });
        expect(alerts.items.map((a) => a.workOrderId)).toEqual([wo.id, wo.id]);
        expect(wo.alertId).toBe(alerts.items[1]!.id);
        const history = await registry.workOrders.history(t.scope, wo.id, { limit: 10 });
        expect(history.items.map((e) => e.kind)).toEqual(['created', 'alert_linked']);
        // Once the work order is done, the next occurrence opens a new one.
        let v = wo.version;
        const admin = await registry.users.create(t.actor, t.tenantId, { username: `tech-${site}`, password: 'correct horse battery', role: 'technician' });
        for (const [name, extra] of [['assign', { assigneeId: admin.id }], ['start', {}], ['complete', {}]] as const) {
          v = (await registry.workOrders.transition(t.actor, t.scope, wo.id, name, extra, v)).version;
        }
        clock.advance(60_000);
        await sink.applyAlertEvents([alertEvent(site, { eventSeq: 5, occurrence: 3 })]);
        const after = await registry.workOrders.list(t.scope, { siteId: site }, { limit: 10 });
        expect(after.items.map((w) => w.number)).toEqual(['WO-2026-000002', 'WO-2026-000001']);
      }),
    );

    it(
      'work order numbers are per tenant and sequential; a stale version is refused',
      withFixture(async ({ registry }) => {
        const a = await seedTenant(registry, 'a');
        const b = await seedTenant(registry, 'b');
        const siteA = uniqueSiteId('a');
        const siteB = uniqueSiteId('b');
        await registry.sites.create(a.actor, a.scope, { id: siteA, name: 'A' });
        await registry.sites.create(b.actor, b.scope, { id: siteB, name: 'B' });
        const made = await Promise.all([1, 2, 3].map((i) => registry.workOrders.create(a.actor, a.scope, { siteId: siteA, title: `wo ${i}`, type: 'preventive', priority: 'low' })));
        const other = await registry.workOrders.create(b.actor, b.scope, { siteId: siteB, title: 'b', type: 'preventive', priority: 'low' });
        expect(made.map((w) => w.number).sort()).toEqual(['WO-2026-000001', 'WO-2026-000002', 'WO-2026-000003']);
        expect(other.number).toBe('WO-2026-000001');
        const wo = made[0]!;
        const results = await Promise.allSettled([
          registry.workOrders.update(a.actor, a.scope, wo.id, { title: 'first' }, wo.version),
          registry.workOrders.update(a.actor, a.scope, wo.id, { title: 'second' }, wo.version),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(isDcmmsError(failed.reason, 'DCMMS_REGISTRY_STALE_VERSION')).toBe(true);
        // Another tenant cannot see or touch it.
        expect(await registry.workOrders.get(b.scope, wo.id)).toBeNull();
        await rejects(registry.workOrders.update(b.actor, b.scope, wo.id, { title: 'x' }, 2), 'DCMMS_REGISTRY_NOT_FOUND');
      }),
    );

    it(
      'site status keeps the newest report; config results and command results land',
      withFixture(async ({ registry }) => {
        const t = await seedTenant(registry);
        const site = uniqueSiteId();
        await registry.sites.create(t.actor, t.scope, { id: site, name: 'Plant' });
        const sink = registrySiteStatusSink(registry);
        const ts = Date.UTC(2026, 2, 1, 9);
        await sink.applySiteStatus({ site, state: 'online', ts, appliedConfigVersion: 1, buffer: { batches: 3, readings: 300, bytes: 4096, oldestTs: ts - 1000, lastSeq: 41, ackedSeq: 38 } });
        await sink.applySiteStatus({ site, state: 'offline', ts: ts - 5000, appliedConfigVersion: null });
        const status = await registry.siteStatus.get(t.scope, site);
        expect(status).toMatchObject({ state: 'online', lastSeenAt: ts, appliedConfigVersion: 1, buffer: { readings: 300 } });
        await sink.applySiteStatus({ site: uniqueSiteId('unknown'), state: 'online', ts, appliedConfigVersion: null });

        const put = await registry.configs.put(t.actor, t.scope, site, { site, devices: [] });
        expect(put.envelope).toMatchObject({ site, version: 1 });
        await rejects(registry.configs.put(t.actor, t.scope, site, { site }, 0), 'DCMMS_REGISTRY_STALE_VERSION');
        await rejects(registry.configs.put(t.actor, t.scope, site, { site: 'another-site' }), 'DCMMS_SITE_CONFIG_INVALID');
        await rejects(registry.configs.put(t.actor, t.scope, site, [1, 2]), 'DCMMS_SITE_CONFIG_INVALID');
        const results = registryEdgeResultSink(registry);
        await results.applyConfigResult({ site, version: 1, status: 'rejected', reason: 'devices[0].port: expected 1..65535', ts });
        expect((await registry.configs.version(t.scope, site, 1))?.result).toEqual({ status: 'rejected', reason: 'devices[0].port: expected 1..65535', at: ts });

        const { command } = await registry.commands.create(t.actor, t.scope, site, { type: 'write', tag: 'breaker.open', value: true }, 60_000);
        await results.applyCommandResult({ commandId: command.id, site, status: 'succeeded', ts });
        await results.applyCommandResult({ commandId: command.id, site, status: 'failed', ts: ts + 1 });
        expect((await registry.commands.get(t.scope, site, command.id))?.status).toBe('succeeded');
      }),
    );

    it(
      'site credentials: verify, rotate with and without grace, revoke',
      withFixture(async ({ registry, clock }) => {
        const t = await seedTenant(registry);
        const site = uniqueSiteId();
        await registry.sites.create(t.actor, t.scope, { id: site, name: 'Plant' });
        const verifier = registryCredentialVerifier(registry);
        const first = await registry.credentials.issue(t.actor, t.scope, site, 0);
        expect(await verifier.verify(site, first.secret)).toEqual({ tenantId: t.tenantId });
        expect(await verifier.verify(site, `${first.secret}x`)).toBeNull();
        expect(await verifier.verify('other-site', first.secret)).toBeNull();
        const second = await registry.credentials.issue(t.actor, t.scope, site, 60_000);
        expect(await verifier.verify(site, first.secret)).not.toBeNull();
        expect(await verifier.verify(site, second.secret)).not.toBeNull();
        clock.advance(60_001);
        expect(await verifier.verify(site, first.secret)).toBeNull();
        const third = await registry.credentials.issue(t.actor, t.scope, site, 0);
        expect(await verifier.verify(site, second.secret)).toBeNull();
        await registry.credentials.revoke(t.actor, t.scope, site, third.credential.id);
        expect(await verifier.verify(site, third.secret)).toBeNull();
        const listed = await registry.credentials.list(t.scope, site);
        expect(listed).toHaveLength(3);
        expect(JSON.stringify(listed)).not.toContain(third.secret);
      }),
    );

    it(
      'refresh tokens rotate; presenting a used one revokes the whole family',
      withFixture(async ({ registry }) => {
        const t = await seedTenant(registry);
        const user = await registry.users.create(t.actor, t.tenantId, { username: `u-${uniqueSiteId()}`, password: 'a long enough password', role: 'viewer' });
        const first = await registry.sessions.issue(user.id, t.tenantId);
        const second = await registry.sessions.rotate(first.token);
        expect(second.userId).toBe(user.id);
        const third = await registry.sessions.rotate(second.next.token);
        await rejects(registry.sessions.rotate(first.token), 'DCMMS_AUTH_REFRESH_REUSED');
        // The thief's and the owner's newest tokens are both dead now.
        await rejects(registry.sessions.rotate(third.next.token), 'DCMMS_AUTH_REFRESH_INVALID');
        await rejects(registry.sessions.rotate('rt_not-a-token'), 'DCMMS_AUTH_REFRESH_INVALID');
        // Concurrent use of one token: exactly one succeeds.
        const other = await registry.sessions.issue(user.id, t.tenantId);
        const race = await Promise.allSettled([registry.sessions.rotate(other.token), registry.sessions.rotate(other.token)]);
        expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const audit = await registry.audit.list(t.scope, { action: 'session.reuse_detected' }, { limit: 10 });
        expect(audit.items.length).toBeGreaterThanOrEqual(2);
      }),
    );

    it(
      'asset hierarchy: depth limit, cycles refused, subtree moves, tags bound once per site, site directory',
      withFixture(async ({ registry }) => {
        const t = await seedTenant(registry);
        const site = uniqueSiteId();
        await registry.sites.create(t.actor, t.scope, { id: site, name: 'Plant' });
        const chain = [];
        let parentId: string | null = null;
        for (let level = 1; level <= 5; level++) {
          const a = await registry.assets.create(t.actor, t.scope, { siteId: site, parentId, name: `L${level}`, kind: 'thing', tags: [`tag.l${level}`] });
          expect(a.depth).toBe(level);
          chain.push(a);
          parentId = a.id;
        }
        await rejects(registry.assets.create(t.actor, t.scope, { siteId: site, parentId, name: 'L6', kind: 'thing' }), 'DCMMS_ASSET_TOO_DEEP');
        await rejects(registry.assets.update(t.actor, t.scope, chain[0]!.id, { parentId: chain[3]!.id }), 'DCMMS_ASSET_CYCLE');
        await rejects(registry.assets.update(t.actor, t.scope, chain[0]!.id, { parentId: chain[0]!.id }), 'DCMMS_ASSET_CYCLE');
        const other = await registry.assets.create(t.actor, t.scope, { siteId: site, name: 'Other', kind: 'thing' });
        await rejects(registry.assets.update(t.actor, t.scope, chain[0]!.id, { parentId: other.id }), 'DCMMS_ASSET_TOO_DEEP');
        // Moving L3 (3 levels tall) under Other: depths 2..4.
        await registry.assets.update(t.actor, t.scope, chain[2]!.id, { parentId: other.id });
        const h = await registry.assets.hierarchy(t.scope, other.id);
        expect(h.asset.children[0]?.name).toBe('L3');
        expect(h.asset.children[0]?.depth).toBe(2);
        expect(h.asset.children[0]?.children[0]?.children[0]).toMatchObject({ name: 'L5', depth: 4 });
        const leaf = await registry.assets.hierarchy(t.scope, chain[4]!.id);
        expect(leaf.ancestors.map((a) => a.name)).toEqual(['Other', 'L3', 'L4']);
        await rejects(registry.assets.setTags(t.actor, t.scope, other.id, ['tag.l1']), 'DCMMS_REGISTRY_CONFLICT');
        await rejects(registry.assets.delete(t.actor, t.scope, other.id), 'DCMMS_REGISTRY_IN_USE');
        const directory = registrySiteDirectory(registry);
        const info = await directory.site(site);
        expect(info?.tenantId).toBe(t.tenantId);
        expect(info?.assetOf('tag.l5')).toBe(chain[4]!.id);
        expect(info?.assetOf('nope')).toBeNull();
        expect(await directory.site('unknown-site')).toBeNull();
      }),
    );

    it(
      'nearby and bounding-box queries',
      withFixture(async ({ registry }) => {
        const t = await seedTenant(registry);
        const site = uniqueSiteId();
        await registry.sites.create(t.actor, t.scope, { id: site, name: 'Plant' });
        const spots = [
          ['Paris', 48.8566, 2.3522],
          ['Versailles', 48.8049, 2.1204],
          ['London', 51.5074, -0.1278],
          ['Fiji west', -17.8, 179.9],
          ['Fiji east', -17.8, -179.9],
        ] as const;
        for (const [name, lat, lon] of spots) await registry.assets.create(t.actor, t.scope, { siteId: site, name, kind: 'pv', location: { lat, lon } });
        const near = await registry.assets.nearby(t.scope, { lat: 48.85, lon: 2.35, radiusKm: 50, limit: 10 });
        expect(near.map((a) => a.name)).toEqual(['Paris', 'Versailles']);
        const wide = await registry.assets.nearby(t.scope, { lat: 48.85, lon: 2.35, radiusKm: 400, limit: 10 });
        expect(wide.map((a) => a.name)).toEqual(['Paris', 'Versailles', 'London']);
        const dateline = await registry.assets.nearby(t.scope, { lat: -17.8, lon: 180, radiusKm: 50, limit: 10 });
        expect(dateline.map((a) => a.name).sort()).toEqual(['Fiji east', 'Fiji west']);
        const box = await registry.assets.list(t.scope, { bbox: { minLat: 48, maxLat: 52, minLon: -1, maxLon: 3 } }, { limit: 10 });
        expect(box.items.map((a) => a.name).sort()).toEqual(['London', 'Paris', 'Versailles']);
        const across = await registry.assets.list(t.scope, { bbox: { minLat: -20, maxLat: -15, minLon: 179, maxLon: -179 } }, { limit: 10 });
        expect(across.items).toHaveLength(2);
      }),
    );
  });
}
