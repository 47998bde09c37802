import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, GapRecord } from '@dcmms/shared';
import { writeSiteCredential, createFileCredentialVerifier } from '../src/gateway/credentials-file.js';
import { startEmbeddedGateway, type EmbeddedGateway } from '../src/gateway/embedded.js';
import { createSqlCompletenessLedger } from '../src/ledger/index.js';
import { createSqliteTelemetryStore } from '../src/stores/telemetry/index.js';
import type { TelemetryStore } from '../src/ports/telemetry-store.js';
import { connectEdge } from './support/edge.js';
import { checksum, expectedKeys, plantBatches, rowKey } from './support/plant.js';
import { recordingSinks, waitFor } from './support/recording-sinks.js';
import { sqliteTestRegistry, type TestRegistry } from './support/registry-db.js';

describe('embedded mode end to end: scripted edge -> gateway -> SQLite store + ledger + sinks', () => {
  let dir: string;
  let registry: TestRegistry;
  let store: TelemetryStore;
  let embedded: EmbeddedGateway;
  const sinks = recordingSinks();
  const url = () => `mqtt://127.0.0.1:${embedded.gateway.tcpPort}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-embedded-'));
    registry = await sqliteTestRegistry();
    store = createSqliteTelemetryStore(join(dir, 'telemetry.db'));
    const credFile = join(dir, 'credentials.json');
    await writeSiteCredential(credFile, 'plant-a', 'tenant-1', 'secret-a');
    await writeSiteCredential(credFile, 'plant-b', 'tenant-1', 'secret-b');
    embedded = await startEmbeddedGateway({
      credentials: createFileCredentialVerifier(credFile),
      store,
      ledger: createSqlCompletenessLedger(registry.database),
      alerts: sinks.alertSink,
      status: sinks.statusSink,
      results: sinks.resultSink,
      deadLetterDir: join(dir, 'dead-letters'),
      tcp: { host: '127.0.0.1', port: 0 },
    });
  });

  afterAll(async () => {
    await embedded?.close();
    await store?.close();
    await registry?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores exactly the published readings, proves completeness, and delivers alerts and status', async () => {
    const a = plantBatches('plant-a', { batches: 60, tags: 40 });
    const b = plantBatches('plant-b', { batches: 30, tags: 25, startMs: Date.UTC(2026, 0, 5, 7) });
    // Seq 21 of plant-a is lost at the edge and reported as a gap; seq 40 just never arrives.
    const sentA = a.filter((x) => x.seq !== 21 && x.seq !== 40);
    const lost = a.find((x) => x.seq === 21)!;
    const gap: GapRecord = {
      site: 'plant-a', what: 'telemetry', reason: 'buffer_bytes_limit', seqFrom: 21, seqTo: 21,
      fromTs: lost.readings[0]!.ts, toTs: lost.readings.at(-1)!.ts, batches: 1, readings: lost.readings.length, detectedAt: lost.createdAt + 5,
    };
    const edgeA = await connectEdge({ url: url(), site: 'plant-a', secret: 'secret-a' });
    const edgeB = await connectEdge({ url: url(), site: 'plant-b', secret: 'secret-b', clientId: 'plant-b:uplink' });
    try {
      await Promise.all([edgeA.publishBatches(sentA, 16), edgeB.publishBatches(b, 4)]);
      await edgeA.publishGap(gap);
      // A replay after a reconnect: the same batches again change nothing.
      await edgeA.publishBatches(sentA.slice(0, 10), 4);
      const alert: AlertEvent = {
        site: 'plant-a', alertId: 'inv1.temp:hi', occurrence: 1, eventSeq: 1, ts: a[5]!.createdAt, kind: 'raised',
        state: 'unacked_active', severity: 'high', ruleId: 'inv1.temp:hi', tag: 'inv1.temp', value: 81.5, message: 'inverter 1 hot',
      };
      await edgeA.publishJson('alerts', [alert, { ...alert, eventSeq: 2, kind: 'acknowledged', state: 'acked_active', actor: 'edge' }]);
      await edgeA.publishJson('status', { site: 'plant-a', state: 'online', ts: a[59]!.createdAt, appliedConfigVersion: 3 }, { retain: true });
      await edgeA.publishJson('results', { site: 'plant-a', version: 3, status: 'applied', ts: a[59]!.createdAt });
    } finally {
      await edgeA.close();
      await edgeB.close();
    }

    // Everything above was PUBACKed, and a PUBACK means kept: no waiting needed.
    for (const [site, batches] of [['plant-a', sentA], ['plant-b', b]] as const) {
      const rows = await store.range({ site, tags: [], from: 0, to: Date.UTC(2030, 0, 1), limit: 100_000 });
      expect(checksum(rows.map((r) => rowKey(r.site, r.tag, r.ts, r.value, r.text)))).toEqual(checksum(expectedKeys(batches)));
    }
    const ledger = createSqlCompletenessLedger(registry.database);
    const report = await ledger.report('plant-a', 0, Date.UTC(2030, 0, 1));
    expect(report.batches).toBe(58);
    expect(report.readings).toBe(58 * 40);
    expect(report.missing).toEqual([{ fromSeq: 21, toSeq: 21 }, { fromSeq: 40, toSeq: 40 }]);
    expect(report.gaps).toEqual([gap]);

    expect(sinks.alerts.map((e) => [e.eventSeq, e.kind])).toEqual([[1, 'raised'], [2, 'acknowledged']]);
    expect(sinks.statuses.map((s) => [s.site, s.state, s.appliedConfigVersion])).toEqual([['plant-a', 'online', 3]]);
    expect(sinks.configResults.map((r) => [r.version, r.status])).toEqual([[3, 'applied']]);
    expect(embedded.deadLetters()).toEqual([]);
  });

  it('answers latest-per-tag and downsampled queries from the SQLite store', async () => {
    const latest = await store.latest('plant-b');
    expect(latest).toHaveLength(25);
    const lastTs = Date.UTC(2026, 0, 5, 7) + 29_000;
    expect(latest.every((r) => r.ts === lastTs || r.quality === 'bad')).toBe(true);
    expect(latest.find((r) => r.tag === 'inv1.model')?.text).toBe('SUN2000-100KTL');
    const counts = await store.downsample({ site: 'plant-b', tags: ['inv1.v_ac'], from: 0, to: Date.UTC(2030, 0, 1), intervalMs: 10_000, aggregate: 'count', limit: 100 });
    expect(counts.map((p) => p.value)).toEqual([10, 10, 10]);
    const maxes = await store.downsample({ site: 'plant-b', tags: ['inv1.e_total'], from: 0, to: Date.UTC(2030, 0, 1), intervalMs: 30_000, aggregate: 'last', limit: 100 });
    const rows = await store.range({ site: 'plant-b', tags: ['inv1.e_total'], from: 0, to: Date.UTC(2030, 0, 1), limit: 100 });
    expect(maxes).toEqual([{ tag: 'inv1.e_total', ts: Math.floor(rows[0]!.ts / 30_000) * 30_000, value: rows.at(-1)!.value }]);
  });

  it('delivers the last will (offline status) of an edge that vanishes without saying goodbye', async () => {
    const { default: mqtt } = await import('mqtt');
    const will = { site: 'plant-b', state: 'offline', ts: 1_800_000_000_000, appliedConfigVersion: null };
    const client = await mqtt.connectAsync(url(), {
      username: 'plant-b', password: 'secret-b', clientId: 'dcmms-edge-plant-b', reconnectPeriod: 0,
      will: { topic: 'dcmms/v1/plant-b/status', payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    });
    client.stream.destroy();
    await waitFor('the will in the status sink', () => sinks.statuses.some((s) => s.site === 'plant-b' && s.state === 'offline'));
    await client.endAsync(true);
  });

  it('hands downlink messages to the subscribed site only (retained config reaches a late subscriber)', async () => {
    await embedded.downlink.publish('plant-b', 'config', Buffer.from('{"version":4}'), { retain: true });
    const edgeB = await connectEdge({ url: url(), site: 'plant-b', secret: 'secret-b' });
    try {
      const got = new Promise<string>((resolve) => edgeB.client.on('message', (topic, payload) => resolve(`${topic} ${payload.toString()}`)));
      await edgeB.client.subscribeAsync('dcmms/v1/plant-b/config', { qos: 1 });
      expect(await got).toBe('dcmms/v1/plant-b/config {"version":4}');
    } finally {
      await edgeB.close();
    }
  });
});
