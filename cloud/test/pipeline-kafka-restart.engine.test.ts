import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KAFKA_TOPICS, type TelemetryBatch } from '@dcmms/shared';
import { kafkaEngine } from '../../scripts/engines/kafka.js';
import { loadSettings } from '../../scripts/engines/settings.js';
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
import { dropTable, expectTableEquals, groupAtEnd, testTable, uniqueSite } from './support/pipeline.js';
import { postgresTestRegistry, type TestRegistry } from './support/registry-db.js';

const env = inject('engines');

// The one test that restarts the shared Kafka broker: the outage is kept short (stop, start at
// once, wait until it answers and the topics have leaders) and happens in this file only.
describe('fault matrix: Kafka broker restart mid-stream', () => {
  let dir: string;
  let registryDb: TestRegistry;
  let store: QuestDbTelemetryStore;
  let eventLog: EventLog;
  let producers: LogProducer[] = [];
  let gateway: Gateway;
  let worker: IngestConsumer;
  let list: ScriptedEdge[] = [];
  const sites = [uniqueSite('kafka-a'), uniqueSite('kafka-b')];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-kafka-restart-'));
    const credFile = join(dir, 'credentials.json');
    for (const s of sites) await writeSiteCredential(credFile, s, 'tenant-k', `${s}-secret`);
    registryDb = await postgresTestRegistry(env['DATABASE_URL']!);
    store = await testTable(env);
    const group = await groupAtEnd(env, [KAFKA_TOPICS.telemetryRaw]);
    eventLog = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'kafka-restart-test' });
    producers = [await eventLog.producer(), await eventLog.producer()];
    gateway = await createGateway({ credentials: createFileCredentialVerifier(credFile), intake: createKafkaIntake(producers[0]!), tcp: { host: '127.0.0.1', port: 0 } });
    worker = createIngestConsumer({
      eventLog, producer: producers[1]!, groupId: group, topics: [KAFKA_TOPICS.telemetryRaw],
      applier: createUplinkApplier({ store, ledger: createSqlCompletenessLedger(registryDb.database) }),
    });
    await worker.start();
    list = await Promise.all(sites.map((s) => connectEdge({ url: `mqtt://127.0.0.1:${gateway.tcpPort}`, site: s, secret: `${s}-secret`, keepaliveSeconds: 120 })));
  });

  afterAll(async () => {
    await Promise.all(list.map((e) => e.close()));
    await worker?.stop();
    await gateway?.close();
    await producers[1]?.close();
    await eventLog?.close();
    if (store) await dropTable(store);
    await registryDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds PUBACKs while the broker is away, then delivers everything exactly once', async () => {
    const kafka = kafkaEngine(loadSettings());
    kafka.prepare();
    const batches = sites.map((s, i) => plantBatches(s, { batches: 240, tags: 50, startMs: Date.UTC(2026, 0, 7, 1 + i) })) as [TelemetryBatch[], TelemetryBatch[]];
    await Promise.all(list.map((e, i) => e.publishBatches(batches[i]!.slice(0, 80), 8)));
    let acked = 0;
    await kafka.stop();
    try {
      // Published while the broker is down: the gateway keeps them unacknowledged and retries.
      const during = Promise.all(list.map((e, i) => e.publishBatches(batches[i]!.slice(80, 160), 8, () => acked++)));
      await new Promise((r) => setTimeout(r, 2000));
      expect(acked).toBe(0);
      await kafka.start();
      await kafka.waitReady();
      await during;
    } finally {
      if (kafka.runningPid() === null) {
        await kafka.start();
        await kafka.waitReady();
      }
    }
    await Promise.all(list.map((e, i) => e.publishBatches(batches[i]!.slice(160), 8)));
    await expectTableEquals(store, [...batches[0], ...batches[1]], 170_000);
  });
});
