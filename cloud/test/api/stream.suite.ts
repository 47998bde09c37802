import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistryDatabase } from '../../src/db/index.js';
import { createRegistry, registryAlertEventSink } from '../../src/registry/index.js';
import { alertEvent } from '../registry/fixtures.js';
import { call } from './client.js';
import { T0, startApi, type ApiHarness, type EngineSet } from './harness.js';
import { openSse } from './sse.js';
import { buildWorld, type World } from './world.js';

/** The live stream: alert changes (from this process and others) and latest values, within scope. */
export function streamSuite(engine: string, engines: () => EngineSet): void {
  describe(`live stream on ${engine}`, () => {
    let h: ApiHarness;
    let w: World;
    beforeAll(async () => {
      h = await startApi(engines(), { stream: { alertPollMs: 100, latestPollMs: 100, heartbeatMs: 200, maxPerPrincipal: 3 } });
      w = await buildWorld(h);
    });
    afterAll(async () => h?.close());

    it('sends alert changes and new latest values of the requested site, nothing from elsewhere', async () => {
      const asset = await w.asset('own', ['live.p']);
      await h.writeTelemetry([{ site: 'a-s1', asset: asset.id, tag: 'live.p', ts: T0, value: 1, text: null, quality: 'good', receivedAt: T0 }]);
      const sse = await openSse(`${await h.url()}/api/v1/stream?site=a-s1`, w.principal('viewer@a-s1').headers);
      try {
        expect(sse.status).toBe(200);
        expect(sse.headers.get('content-type')).toContain('text/event-stream');
        // The snapshot first.
        await sse.waitFor((e) => e.event === 'latest' && JSON.stringify(e.data).includes('"live.p"'));
        // An alert on another site (same tenant), then one on ours: only ours arrives.
        const sink = registryAlertEventSink(h.registry);
        await sink.applyAlertEvents([alertEvent('a-s2', { alertId: 'elsewhere', eventSeq: 70_001 })]);
        await sink.applyAlertEvents([alertEvent('a-s1', { alertId: 'here', eventSeq: 70_002 })]);
        const alert = await sse.waitFor((e) => e.event === 'alert');
        expect(alert.data).toMatchObject({ alertKey: 'here', siteId: 'a-s1', state: 'unacked_active' });
        // A change made by another process (its own registry, no shared bus) arrives by polling.
        const other = openRegistryDatabase(h.dbUrl);
        try {
          const second = createRegistry(other, { clock: h.clock });
          await registryAlertEventSink(second).applyAlertEvents([alertEvent('a-s1', { alertId: 'here', eventSeq: 70_003, kind: 'cleared', state: 'unacked_rtn' })]);
        } finally {
          await other.close();
        }
        await sse.waitFor((e) => e.event === 'alert' && (e.data as { state: string }).state === 'unacked_rtn');
        // A new reading.
        await h.writeTelemetry([{ site: 'a-s1', asset: asset.id, tag: 'live.p', ts: T0 + 1000, value: 2, text: null, quality: 'good', receivedAt: T0 + 1000 }]);
        const latest = await sse.waitFor((e) => e.event === 'latest' && JSON.stringify(e.data).includes(`"ts":${T0 + 1000}`));
        expect(latest.data).toMatchObject({ siteId: 'a-s1', values: [{ tag: 'live.p', value: 2 }] });
        expect(sse.events.some((e) => JSON.stringify(e.data).includes('elsewhere'))).toBe(false);
        // Heartbeats keep idle proxies from cutting the stream.
        const deadline = Date.now() + 10_000;
        while (sse.comments() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(sse.comments()).toBeGreaterThanOrEqual(3);
      } finally {
        await sse.close();
      }
    });

    it('refuses sites outside the scope and too many streams per principal', async () => {
      const outside = await call(h, { method: 'GET', url: '/api/v1/stream?site=a-s2', headers: w.principal('viewer@a-s1').headers, stream: true });
      expect(outside.status).toBe(404);
      const noSite = await call(h, { method: 'GET', url: '/api/v1/stream?types=latest', headers: w.principal('viewer').headers, stream: true });
      expect(noSite.status).toBe(400);
      // Without a filter: alerts of every site in scope.
      const plain = await openSse(`${await h.url()}/api/v1/stream`, w.principal('viewer').headers);
      expect(plain.status).toBe(200);
      await plain.close();
      const streams = [];
      try {
        for (let i = 0; i < 3; i++) streams.push(await openSse(`${await h.url()}/api/v1/stream?types=alerts`, w.principal('technician').headers));
        expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
        const fourth = await call(h, { method: 'GET', url: '/api/v1/stream?types=alerts', headers: w.principal('technician').headers, stream: true });
        expect([fourth.status, (fourth.body as { code: string }).code]).toEqual([429, 'DCMMS_API_STREAM_LIMIT']);
      } finally {
        await Promise.all(streams.map((s) => s.close()));
      }
      // Closed streams free their places.
      const deadline = Date.now() + 10_000;
      let again = 0;
      while (Date.now() < deadline) {
        const s = await openSse(`${await h.url()}/api/v1/stream?types=alerts`, w.principal('technician').headers);
        again = s.status;
        await s.close();
        if (again === 200) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(again).toBe(200);
    });
  });
}
