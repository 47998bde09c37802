import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createAdapter, simulatorModbusDevice, startModbusSimulator } from '@dcmms/protocol-adapters';
import { createEdgeAgent } from '@dcmms/edge-agent';
import { KAFKA_TOPICS, parseSiteConfig, type SiteConfigInput } from '@dcmms/shared';
import { createFileCredentialVerifier, writeSiteCredential } from '../src/gateway/credentials-file.js';
import { createGateway } from '../src/gateway/gateway.js';
import { createKafkaIntake } from '../src/gateway/kafka-intake.js';
import { createUplinkApplier } from '../src/ingest/applier.js';
import { createIngestConsumer } from '../src/ingest/consumer.js';
import { createEventLog } from '../src/kafka/index.js';
import { createSqlCompletenessLedger } from '../src/ledger/index.js';
import { dropTable, groupAtEnd, testTable, uniqueSite } from './support/pipeline.js';
import { waitFor } from './support/recording-sinks.js';
import { postgresTestRegistry } from './support/registry-db.js';

const env = inject('engines');

/** The edge agent itself (the colleague's, polling the Modbus simulator) through the production path. */
describe('edge agent -> gateway -> Kafka -> worker -> QuestDB', () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('stores exactly the readings the agent had acknowledged, with no hole in the ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcmms-agent-pipeline-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const site = uniqueSite('agent');
    const credFile = join(dir, 'credentials.json');
    await writeSiteCredential(credFile, site, 'tenant-a', 'agent-secret');
    const registry = await postgresTestRegistry(env['DATABASE_URL']!);
    cleanups.push(() => registry.drop());
    const store = await testTable(env);
    cleanups.push(() => dropTable(store));
    const group = await groupAtEnd(env, [KAFKA_TOPICS.telemetryRaw]);
    const eventLog = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'agent-pipeline' });
    cleanups.push(() => eventLog.close());
    const ledger = createSqlCompletenessLedger(registry.database);
    const gateway = await createGateway({ credentials: createFileCredentialVerifier(credFile), intake: createKafkaIntake(await eventLog.producer()), tcp: { host: '127.0.0.1', port: 0 } });
    cleanups.push(() => gateway.close());
    const workerProducer = await eventLog.producer();
    cleanups.push(() => workerProducer.close());
    const worker = createIngestConsumer({ eventLog, producer: workerProducer, groupId: group, topics: [KAFKA_TOPICS.telemetryRaw], applier: createUplinkApplier({ store, ledger }) });
    await worker.start();
    cleanups.push(() => worker.stop());

    const sim = await startModbusSimulator({ profile: 'pv-inverter', seed: 9 });
    cleanups.push(() => sim.stop());
    const input = {
      site,
      devices: [simulatorModbusDevice('pv-inverter', { host: '127.0.0.1', port: sim.port }, { name: 'inv1', pollIntervalMs: 200, asset: 'inverter-1', extra: { timeoutMs: 500, retries: 0 } })],
      alarms: [],
      buffer: { path: join(dir, 'buffer.db'), commitIntervalMs: 100 },
      uplink: { url: `mqtt://127.0.0.1:${gateway.tcpPort}`, reconnect: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 }, ackTimeoutMs: 10_000 },
      http: { enabled: false, port: 0 },
    } as SiteConfigInput;
    const config = parseSiteConfig(input);
    const agent = createEdgeAgent({ config, baseDir: dir, adapterFactory: (d) => createAdapter(d), credentials: { password: 'agent-secret' } });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : agent.stop()));
    const startedAt = Date.now();
    await agent.start();
    await waitFor('a few seconds of acknowledged batches', () => (agent.uplink?.stats().acked.live ?? 0) >= 15, 60_000, 200);
    await agent.stop();
    stopped = true;

    const acked = agent.uplink!.stats();
    const expected = acked.ackedReadings.live + acked.ackedReadings.backfill;
    expect(expected).toBeGreaterThan(0);
    await waitFor(`${expected} rows in QuestDB`, async () => {
      await store.waitApplied(30_000);
      const r = await store.query<{ n: string }>(`SELECT count() n FROM "${store.table}" WHERE site = $1`, [site]);
      return Number(r[0]!.n) >= expected;
    }, 60_000, 250);
    const rows = await store.query<{ n: string; tags: string }>(`SELECT count() n, count_distinct(tag) tags FROM "${store.table}" WHERE site = $1`, [site]);
    expect(Number(rows[0]!.n)).toBe(expected);
    expect(Number(rows[0]!.tags)).toBe(config.devices[0]!.tags.length);
    const report = await ledger.report(site, startedAt - 60_000, Date.now() + 60_000);
    expect(report.missing).toEqual([]);
    expect(report.readings).toBe(expected);
  }, 150_000);
});
