import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mqttTopic, systemClock, uplinkConfigSchema } from '@dcmms/shared';
import type { DownlinkChannel, Reading, UplinkConfig } from '@dcmms/shared';
import type { Database } from 'better-sqlite3';
import { AlarmJournal, TelemetryBuffer, openBufferDatabase } from '../src/index.js';
import { Uplink } from '../src/uplink/uplink.js';
import { tempDir } from './support/temp-dir.js';
import { keyOf, plantCycle } from './support/readings.js';
import { CloudSink } from './support/cloud-sink.js';
import { startTestBroker } from './support/aedes-broker.js';
import type { TestBroker } from './support/aedes-broker.js';
import { waitFor } from './support/wait.js';

const SITE = 'plant-01';
let dir: ReturnType<typeof tempDir>;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
  dir.cleanup();
});

function setup(url: string, config: Partial<UplinkConfig> = {}, credentials: { username?: string; password?: string } = {}) {
  const db: Database = openBufferDatabase({ path: join(dir.path, 'buffer.db'), site: SITE });
  const downlink: Array<{ channel: DownlinkChannel; payload: string }> = [];
  // eslint-disable-next-line prefer-const -- assigned after the buffer that refers to it
  let uplink: Uplink;
  const buffer = new TelemetryBuffer({
    db,
    site: SITE,
    clock: systemClock,
    limits: { maxBytes: 1e9, maxAgeMs: 86_400_000, maxReadingsPerBatch: 10_000, maxBatchBytes: 256 * 1024, maxPendingReadings: 1e6 },
    streamFor: () => uplink.laneForCommit(),
  });
  const journal = new AlarmJournal({ db });
  uplink = new Uplink({
    site: SITE,
    config: { ...uplinkConfigSchema.parse({ url, reconnect: { initialMs: 50, maxMs: 300, multiplier: 2, jitter: 0.5 } }), ...config },
    credentials,
    buffer,
    journal,
    clock: systemClock,
    status: () => ({ appliedConfigVersion: 3 }),
    onDownlink: (channel, payload) => downlink.push({ channel, payload: payload.toString() }),
  });
  cleanups.push(async () => {
    await uplink.stop(1000);
    db.close();
  });
  return { db, buffer, journal, uplink, downlink };
}

async function broker(sink: CloudSink, options: Parameters<typeof startTestBroker>[0] = {}): Promise<TestBroker> {
  const b = await startTestBroker({ ...options, onPublish: (topic, payload) => sink.accept(topic, payload) });
  cleanups.push(() => b.stop());
  return b;
}

describe('Uplink', () => {
  it('sends committed batches live, moves the cursor on PUBACK, and publishes a retained online status', async () => {
    const sink = new CloudSink();
    const b = await broker(sink, { pubackDelayMs: 30 });
    const { buffer, uplink } = setup(b.url);
    uplink.start();
    await waitFor(() => uplink.isConnected(), 'connect');
    const produced: Reading[] = [];
    for (let c = 0; c < 10; c++) {
      const r = plantCycle(c, 100);
      produced.push(...r);
      buffer.append(r);
      buffer.commit();
    }
    await waitFor(() => buffer.stats().backlogBatches === 0, 'all acknowledged');
    expect(sink.uniqueBatches().map((x) => x.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sink.batches.every((x) => x.stream === 'live')).toBe(true);
    expect(sink.readingKeys()).toEqual(new Set(produced.map(keyOf)));
    expect(sink.statuses[0]).toMatchObject({ site: SITE, state: 'online', appliedConfigVersion: 3 });
    expect(uplink.stats()).toMatchObject({ connected: true, acked: { live: 10, backfill: 0 } });
  });

  it('buffers while the broker is unreachable, then drains the backlog oldest first while live data flows', async () => {
    const sink = new CloudSink();
    const probe = await startTestBroker();
    const port = probe.port;
    await probe.stop();
    const { buffer, uplink } = setup(`mqtt://127.0.0.1:${port}`, { backfillReadingsPerSecond: 2000 });
    uplink.start();
    const produced: Reading[] = [];
    for (let c = 0; c < 60; c++) {
      const r = plantCycle(c, 100);
      produced.push(...r);
      buffer.append(r);
      buffer.commit();
    }
    expect(buffer.stats().backlogBatches).toBe(60);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(uplink.stats().connectFailures).toBeGreaterThan(0);
    await broker(sink, { port });
    await waitFor(() => uplink.isConnected(), 'reconnect');
    // Live data committed now goes at once, ahead of the rate-limited backlog (2,000 readings/s: 3 s for 60 batches).
    const live = plantCycle(100, 100);
    produced.push(...live);
    buffer.append(live);
    buffer.commit();
    await waitFor(() => sink.batches.some((x) => x.seq === 60), 'the live batch');
    expect(sink.uniqueBatches().filter((x) => x.stream === 'backfill').length).toBeLessThan(45);
    await waitFor(() => buffer.stats().backlogBatches === 0, 'backlog drained', 20_000);
    const backfill = sink.batches.filter((x) => x.stream === 'backfill').map((x) => x.seq);
    expect(backfill).toEqual([...backfill].sort((a, b) => a - b));
    expect(backfill).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(sink.readingKeys()).toEqual(new Set(produced.map(keyOf)));
    expect(sink.duplicateBatches()).toBe(0);
  });

  it('sends alarm events ahead of telemetry as JSON arrays, and results, and hands downlink messages over', async () => {
    const sink = new CloudSink();
    const b = await broker(sink);
    const { buffer, journal, uplink, downlink } = setup(b.url);
    for (let c = 0; c < 5; c++) {
      buffer.append(plantCycle(c, 50));
      buffer.commit();
    }
    journal.record({
      events: [
        { site: SITE, alertId: 'a', occurrence: 1, ts: 1, kind: 'raised', state: 'unacked_active', severity: 'high', ruleId: 'a', message: 'x' },
        { site: SITE, alertId: 'b', occurrence: 1, ts: 2, kind: 'raised', state: 'unacked_active', severity: 'low', ruleId: 'b', message: 'y' },
      ],
      points: new Map(),
      removedPoints: [],
      pendingSet: [],
      pendingCleared: [],
    });
    uplink.publishResult({ site: SITE, version: 2, status: 'applied', ts: 5 });
    let firstTelemetryIndex = -1;
    let alertIndex = -1;
    let n = 0;
    const b2 = b.broker;
    b2.on('publish', (packet, client) => {
      if (client === null) return;
      n++;
      if (packet.topic.endsWith('/alerts') && alertIndex < 0) alertIndex = n;
      if (packet.topic.endsWith('/telemetry') && firstTelemetryIndex < 0) firstTelemetryIndex = n;
    });
    uplink.start();
    await waitFor(() => journal.stats().unsent === 0 && buffer.stats().backlogBatches === 0 && sink.results.length === 1, 'everything sent');
    expect(alertIndex).toBeLessThan(firstTelemetryIndex);
    expect(sink.alerts.map((e) => [e.alertId, e.eventSeq])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(sink.results).toEqual([{ site: SITE, version: 2, status: 'applied', ts: 5 }]);
    await b.publish(mqttTopic(SITE, 'commands'), '{"x":1}');
    await b.publish(mqttTopic('other-site', 'commands'), '{"x":2}');
    await waitFor(() => downlink.length === 1, 'downlink');
    expect(downlink).toEqual([{ channel: 'commands', payload: '{"x":1}' }]);
  });

  it('authenticates with the site id and secret, and keeps retrying with backoff on a wrong secret', async () => {
    const sink = new CloudSink();
    const b = await broker(sink, { credentials: { username: SITE, password: 's3cret' } });
    const bad = setup(b.url, {}, { password: 'wrong' });
    bad.uplink.start();
    await waitFor(() => bad.uplink.stats().connectFailures >= 2, 'refused twice');
    expect(bad.uplink.isConnected()).toBe(false);
    expect(bad.uplink.stats().lastError).toMatch(/Not authorized|Bad username|bad credentials|refused/i);
    await bad.uplink.stop(100);
    bad.db.close();

    dir.cleanup();
    dir = tempDir();
    const good = setup(b.url, {}, { password: 's3cret' });
    good.uplink.start();
    await waitFor(() => good.uplink.isConnected(), 'connect with the right secret');
  });

  it('leaves a last will: the broker announces the site offline when the link dies, and a clean stop says so itself', async () => {
    const sink = new CloudSink();
    const b = await broker(sink);
    const watcher = mqtt.connect(b.url, { clientId: 'watcher' });
    cleanups.push(() => watcher.endAsync(true));
    const statuses: Array<{ state: string; retained: boolean }> = [];
    watcher.on('message', (_t, payload, packet) => statuses.push({ state: (JSON.parse(payload.toString()) as { state: string }).state, retained: packet.retain }));
    await new Promise<void>((resolve) => watcher.once('connect', () => resolve()));
    await watcher.subscribeAsync(mqttTopic(SITE, 'status'), { qos: 1 });
    const { uplink } = setup(b.url);
    uplink.start();
    await waitFor(() => statuses.some((x) => x.state === 'online'), 'online');
    // The broker drops the agent's connection (as a dead link would): the will goes out.
    const client = (b.broker as unknown as { clients: Record<string, { close(): void }> }).clients[`dcmms-edge-${SITE}`];
    client!.close();
    await waitFor(() => statuses.some((x) => x.state === 'offline'), 'the last will');
    await waitFor(() => statuses.filter((x) => x.state === 'online').length >= 2, 'back online');
    statuses.length = 0;
    await uplink.stop();
    await waitFor(() => statuses.some((x) => x.state === 'offline'), 'offline on a clean stop');
    // A newcomer sees the retained offline status.
    const late = mqtt.connect(b.url, { clientId: 'late' });
    cleanups.push(() => late.endAsync(true));
    const retained: string[] = [];
    late.on('message', (_t, payload, packet) => packet.retain && retained.push((JSON.parse(payload.toString()) as { state: string }).state));
    await new Promise<void>((resolve) => late.once('connect', () => resolve()));
    await late.subscribeAsync(mqttTopic(SITE, 'status'), { qos: 1 });
    await waitFor(() => retained.length > 0, 'retained status');
    expect(retained).toEqual(['offline']);
  });
});
