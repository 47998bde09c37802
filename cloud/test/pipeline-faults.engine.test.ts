import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { KAFKA_TOPICS, type TelemetryBatch } from '@dcmms/shared';
import { loadSettings } from '../../scripts/engines/settings.js';
import { questdbEngine } from '../../scripts/engines/questdb.js';
import { createFileCredentialVerifier, writeSiteCredential } from '../src/gateway/credentials-file.js';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { createKafkaIntake } from '../src/gateway/kafka-intake.js';
import { createUplinkApplier } from '../src/ingest/applier.js';
import { createIngestConsumer, type IngestConsumer } from '../src/ingest/consumer.js';
import { createEventLog, type EventLog, type LogProducer } from '../src/kafka/index.js';
import { createSqlCompletenessLedger } from '../src/ledger/index.js';
import type { QuestDbTelemetryStore } from '../src/stores/telemetry/index.js';
import { connectEdge, type ScriptedEdge } from './support/edge.js';
import { plantBatches } from './support/plant.js';
import { dropTable, expectTableEquals, freePort, groupAtEnd, startRole, testTable, uniqueSite, type RoleProcess } from './support/pipeline.js';
import { waitFor } from './support/recording-sinks.js';
import { postgresTestRegistry, type TestRegistry } from './support/registry-db.js';

const env = inject('engines');

/**
 * The fault matrix: each test streams plant data from two sites, breaks one component in the
 * middle, and ends with the table exactly equal to what was published (count and checksum,
 * so a duplicate or a loss fails it). Sites, table and consumer group are unique per test.
 */
describe('fault matrix: exactly once in the table across crashes and outages', () => {
  let dir: string;
  let credFile: string;
  let registryDb: TestRegistry;
  let store: QuestDbTelemetryStore;
  let eventLog: EventLog;
  let group: string;
  let sites: [string, string];
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-faults-'));
    credFile = join(dir, 'credentials.json');
    sites = [uniqueSite('fault-a'), uniqueSite('fault-b')];
    for (const s of sites) await writeSiteCredential(credFile, s, 'tenant-f', `${s}-secret`);
    registryDb = await postgresTestRegistry(env['DATABASE_URL']!);
    store = await testTable(env);
    group = await groupAtEnd(env, [KAFKA_TOPICS.telemetryRaw]);
    eventLog = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'fault-test' });
  });

  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await eventLog.close();
    await dropTable(store);
    await registryDb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const data = () => sites.map((s, i) => plantBatches(s, { batches: 300, tags: 50, startMs: Date.UTC(2026, 0, 6, 3 + i) })) as [TelemetryBatch[], TelemetryBatch[]];

  async function inProcessGateway(): Promise<Gateway> {
    const producer = await eventLog.producer();
    const gateway = await createGateway({ credentials: createFileCredentialVerifier(credFile), intake: createKafkaIntake(producer), tcp: { host: '127.0.0.1', port: 0 } });
    cleanup.push(() => gateway.close());
    return gateway;
  }

  async function inProcessWorker(): Promise<IngestConsumer> {
    const producer: LogProducer = await eventLog.producer();
    const worker = createIngestConsumer({
      eventLog, producer, groupId: group, topics: [KAFKA_TOPICS.telemetryRaw], concurrency: 6,
      applier: createUplinkApplier({ store, ledger: createSqlCompletenessLedger(registryDb.database) }),
    });
    await worker.start();
    cleanup.push(async () => {
      await worker.stop();
      await producer.close();
    });
    return worker;
  }

  function childWorker(): RoleProcess {
    const w = startRole('worker', {
      KAFKA_BROKERS: env['KAFKA_BROKERS']!, QUESTDB_HTTP: env['QUESTDB_HTTP']!, QUESTDB_PG: env['QUESTDB_PG']!, DATABASE_URL: registryDb.url,
      QUESTDB_TABLE: store.table, INGEST_GROUP_ID: group, WORKER_CONSUMERS: 'telemetry', INGEST_FROM_BEGINNING: 'false', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', INGEST_SESSION_TIMEOUT_MS: '10000',
    });
    cleanup.push(() => w.stop());
    return w;
  }

  async function edges(port: number): Promise<ScriptedEdge[]> {
    const list = await Promise.all(sites.map((s) => connectEdge({ url: `mqtt://127.0.0.1:${port}`, site: s, secret: `${s}-secret`, reconnectPeriodMs: 300 })));
    cleanup.push(() => Promise.all(list.map((e) => e.close())));
    return list;
  }

  /** Publishes both sites' batches, `window` unacknowledged at a time; calls `at(n)` after each PUBACK. */
  function stream(list: ScriptedEdge[], batches: [TelemetryBatch[], TelemetryBatch[]], at: (acked: number) => void = () => undefined) {
    let acked = 0;
    return Promise.all(list.map((e, i) => e.publishBatches(batches[i]!, 8, () => at(++acked))));
  }

  it('kill -9 of the gateway mid-stream: the edges reconnect and resend, nothing lost or doubled', async () => {
    const port = await freePort();
    const gatewayEnv = { KAFKA_BROKERS: env['KAFKA_BROKERS']!, SITE_CREDENTIALS_FILE: credFile, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' };
    await inProcessWorker();
    let gw = startRole('gateway', gatewayEnv);
    cleanup.push(() => gw.stop());
    await gw.waitForLog(/gateway ready/);
    const list = await edges(port);
    const batches = data();
    let killed: Promise<void> | null = null;
    const done = stream(list, batches, (n) => {
      if (n === 150 && !killed) {
        killed = (async () => {
          await gw.kill9();
          gw = startRole('gateway', gatewayEnv);
          await gw.waitForLog(/gateway ready/);
        })();
      }
    });
    await done;
    await killed;
    expect(killed).not.toBeNull();
    await expectTableEquals(store, [...batches[0], ...batches[1]]);
  });

  it('kill -9 of a worker mid-stream: a new worker resumes from the committed offsets', async () => {
    const gateway = await inProcessGateway();
    let worker = childWorker();
    await worker.waitForLog(/worker ready/);
    const list = await edges(gateway.tcpPort!);
    const batches = data();
    const first: [TelemetryBatch[], TelemetryBatch[]] = [batches[0].slice(0, 150), batches[1].slice(0, 150)];
    const rest: [TelemetryBatch[], TelemetryBatch[]] = [batches[0].slice(150), batches[1].slice(150)];
    await stream(list, first);
    // Mid-stream: some of the first half is in the table, the worker is busy with the rest.
    await waitFor('the worker to have written some rows', async () => Number((await store.query<{ n: string }>(`SELECT count() n FROM "${store.table}"`))[0]!.n) > 0, 60_000, 100);
    const publishingRest = stream(list, rest);
    await worker.kill9();
    worker = childWorker();
    await publishingRest;
    await worker.waitForLog(/worker ready/, 90_000);
    await expectTableEquals(store, [...batches[0], ...batches[1]], 150_000);
  });

  it('two workers with a rebalance in the middle (one joins, then the other leaves)', async () => {
    const gateway = await inProcessGateway();
    const w1 = await inProcessWorker();
    const list = await edges(gateway.tcpPort!);
    const batches = data();
    let joined: Promise<unknown> | null = null;
    let left: Promise<unknown> | null = null;
    await stream(list, batches, (n) => {
      if (n === 100) joined = inProcessWorker();
      if (n === 400) left = (async () => {
        await joined;
        await w1.stop();
      })();
    });
    await joined;
    await left;
    await expectTableEquals(store, [...batches[0], ...batches[1]]);
  });

  it('QuestDB stopped for 30 s: the worker pauses and retries, then catches up', async () => {
    const questdb = questdbEngine(loadSettings());
    questdb.prepare();
    const gateway = await inProcessGateway();
    await inProcessWorker();
    const list = await edges(gateway.tcpPort!);
    const batches = data();
    const first: [TelemetryBatch[], TelemetryBatch[]] = [batches[0].slice(0, 100), batches[1].slice(0, 100)];
    const rest: [TelemetryBatch[], TelemetryBatch[]] = [batches[0].slice(100), batches[1].slice(100)];
    await stream(list, first);
    await questdb.stop();
    try {
      // The edges keep publishing during the outage: Kafka holds it, the worker retries.
      await stream(list, rest);
      await new Promise((r) => setTimeout(r, 30_000));
    } finally {
      await questdb.start();
      await questdb.waitReady();
    }
    await expectTableEquals(store, [...batches[0], ...batches[1]], 150_000);
  });
});
