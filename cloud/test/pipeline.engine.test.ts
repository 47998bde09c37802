import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KAFKA_TOPICS, createLogger, encodeTelemetryBatch, silentLogger, type AlertEvent } from '@dcmms/shared';

const logger = process.env['DCMMS_TEST_LOG'] ? createLogger({ name: 'test', level: process.env['DCMMS_TEST_LOG'] }) : silentLogger;
import { createFileCredentialVerifier, writeSiteCredential } from '../src/gateway/credentials-file.js';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { createKafkaIntake } from '../src/gateway/kafka-intake.js';
import { createUplinkApplier } from '../src/ingest/applier.js';
import { createIngestConsumer, type IngestConsumer } from '../src/ingest/consumer.js';
import { HEADERS } from '../src/ingest/records.js';
import { createEventLog, type EventLog, type LogProducer } from '../src/kafka/index.js';
import { createSqlCompletenessLedger } from '../src/ledger/index.js';
import { createRegistry, registryAlertEventSink, registryEdgeResultSink, registrySiteDirectory, registrySiteStatusSink, systemActor, type Registry } from '../src/registry/index.js';
import type { QuestDbTelemetryStore } from '../src/stores/telemetry/index.js';
import { connectEdge } from './support/edge.js';
import { plantBatches } from './support/plant.js';
import { dropTable, expectTableEquals, groupAtEnd, readRecords, testTable, uniqueSite } from './support/pipeline.js';
import { waitFor } from './support/recording-sinks.js';
import { postgresTestRegistry, type TestRegistry } from './support/registry-db.js';

const env = inject('engines');

describe('publisher -> gateway -> Kafka -> worker -> QuestDB / PostgreSQL (in-process roles)', () => {
  let dir: string;
  let registryDb: TestRegistry;
  let registry: Registry;
  let store: QuestDbTelemetryStore;
  let eventLog: EventLog;
  let gatewayProducer: LogProducer;
  let workerProducer: LogProducer;
  let gateway: Gateway;
  let telemetry: IngestConsumer;
  let edgeEvents: IngestConsumer;
  let invalidGroup: string;
  const siteA = uniqueSite('e2e-a');
  const siteB = uniqueSite('e2e-b');
  const url = () => `mqtt://127.0.0.1:${gateway.tcpPort}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-e2e-'));
    const credFile = join(dir, 'credentials.json');
    await writeSiteCredential(credFile, siteA, 'tenant-e2e', 'secret-a');
    await writeSiteCredential(credFile, siteB, 'tenant-e2e', 'secret-b');
    registryDb = await postgresTestRegistry(env['DATABASE_URL']!);
    registry = createRegistry(registryDb.database);
    store = await testTable(env);
    const [telemetryGroup, eventsGroup] = await Promise.all([
      groupAtEnd(env, [KAFKA_TOPICS.telemetryRaw]),
      groupAtEnd(env, [KAFKA_TOPICS.alertsEdge, KAFKA_TOPICS.edgeStatus, KAFKA_TOPICS.edgeResults]),
    ]);
    invalidGroup = await groupAtEnd(env, [KAFKA_TOPICS.telemetryInvalid]);
    eventLog = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'e2e-test' });
    [gatewayProducer, workerProducer] = await Promise.all([eventLog.producer(), eventLog.producer()]);
    gateway = await createGateway({ credentials: createFileCredentialVerifier(credFile), intake: createKafkaIntake(gatewayProducer), tcp: { host: '127.0.0.1', port: 0 } });
    telemetry = createIngestConsumer({
      eventLog, producer: workerProducer, groupId: telemetryGroup, topics: [KAFKA_TOPICS.telemetryRaw],
      applier: createUplinkApplier({ store, ledger: createSqlCompletenessLedger(registryDb.database), directory: registrySiteDirectory(registry) }), logger,
    });
    edgeEvents = createIngestConsumer({
      eventLog, producer: workerProducer, groupId: eventsGroup, topics: [KAFKA_TOPICS.alertsEdge, KAFKA_TOPICS.edgeStatus, KAFKA_TOPICS.edgeResults],
      applier: createUplinkApplier({ alerts: registryAlertEventSink(registry), status: registrySiteStatusSink(registry), results: registryEdgeResultSink(registry) }),
    });
    await Promise.all([telemetry.start(), edgeEvents.start()]);
  });

  afterAll(async () => {
    await telemetry?.stop();
    await edgeEvents?.stop();
    await gateway?.close();
    await workerProducer?.close();
    await eventLog?.close();
    if (store) await dropTable(store);
    await registryDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the table holds exactly what was published (count and checksum), replays included; the ledger proves it', async () => {
    const a = plantBatches(siteA, { batches: 150, tags: 60 });
    const b = plantBatches(siteB, { batches: 100, tags: 40, startMs: Date.UTC(2026, 0, 5, 9) });
    const sentA = a.filter((x) => x.seq !== 77);
    const edgeA = await connectEdge({ url: url(), site: siteA, secret: 'secret-a' });
    const edgeB = await connectEdge({ url: url(), site: siteB, secret: 'secret-b' });
    try {
      await Promise.all([edgeA.publishBatches(sentA, 32), edgeB.publishBatches(b, 8)]);
      await edgeA.publishBatches(sentA.slice(0, 25), 8);
    } finally {
      await edgeA.close();
      await edgeB.close();
    }
    expect(await expectTableEquals(store, [...sentA, ...b])).toEqual({ count: 149 * 60 + 100 * 40 });
    const ledger = createSqlCompletenessLedger(registryDb.database);
    await waitFor('the ledger', async () => (await ledger.report(siteA, 0, Date.UTC(2030, 0, 1))).batches === 149);
    expect(await ledger.report(siteA, 0, Date.UTC(2030, 0, 1))).toMatchObject({ batches: 149, readings: 149 * 60, missing: [{ fromSeq: 77, toSeq: 77 }] });
  });

  it('runs an edge alert through Kafka into the registry\'s alert tables on PostgreSQL', async () => {
    const tenant = await registry.tenants.create(systemActor('bootstrap'), { name: 'E2E tenant' });
    await registry.sites.create(systemActor(tenant.id), { tenantId: tenant.id, sites: null }, { id: siteA, name: 'E2E plant' });
    const raised: AlertEvent = {
      site: siteA, alertId: 'inv1.temp:hi', occurrence: 1, eventSeq: 10, ts: Date.UTC(2026, 0, 5, 6, 1), kind: 'raised',
      state: 'unacked_active', severity: 'critical', ruleId: 'inv1.temp:hi', tag: 'inv1.temp', value: 88.5, message: 'inverter 1 over temperature',
    };
    const edge = await connectEdge({ url: url(), site: siteA, secret: 'secret-a' });
    try {
      await edge.publishJson('alerts', [raised]);
      await edge.publishJson('alerts', [raised, { ...raised, eventSeq: 11, kind: 'acknowledged', state: 'acked_active', actor: 'edge', ts: raised.ts + 60_000 }]);
      await edge.publishJson('status', { site: siteA, state: 'online', ts: raised.ts, appliedConfigVersion: null });
    } finally {
      await edge.close();
    }
    const events = await waitFor('two alert events in PostgreSQL', async () => {
      const rows = await registryDb.database.db.selectFrom('alert_events').select(['event_seq', 'kind', 'state']).where('site_id', '=', siteA).orderBy('event_seq').execute();
      return rows.length >= 2 ? rows : null;
    }, 60_000, 200);
    expect(events).toEqual([
      { event_seq: 10, kind: 'raised', state: 'unacked_active' },
      { event_seq: 11, kind: 'acknowledged', state: 'acked_active' },
    ]);
  });

  it('keeps refused payloads in telemetry.invalid with the reason, never in the table', async () => {
    const edge = await connectEdge({ url: url(), site: siteB, secret: 'secret-b' });
    try {
      await edge.publishRaw('telemetry', encodeTelemetryBatch(plantBatches(siteA, { batches: 1, tags: 3, firstSeq: 999, startMs: Date.UTC(2027, 0, 1) })[0]!));
      await edge.publishRaw('telemetry', Buffer.from('not a batch at all'));
    } finally {
      await edge.close();
    }
    const letters = await readRecords(eventLog, invalidGroup, KAFKA_TOPICS.telemetryInvalid, siteB, 2);
    expect(letters.map((l) => l.headers[HEADERS.code])).toEqual(['DCMMS_UPLINK_SITE_MISMATCH', 'DCMMS_UPLINK_UNDECODABLE']);
    expect(letters[1]!.value!.toString()).toBe('not a batch at all');
    const forged = await store.query<{ n: string }>(`SELECT count() n FROM "${store.table}" WHERE site = $1 AND ts >= '2027-01-01'`, [siteA]);
    expect(Number(forged[0]!.n)).toBe(0);
  });

  it('a worker sends an undecodable record on telemetry.raw to telemetry.invalid and moves on', async () => {
    const site = uniqueSite('raw-junk');
    const group = await groupAtEnd(env, [KAFKA_TOPICS.telemetryInvalid]);
    const good = plantBatches(site, { batches: 3, tags: 5 });
    await workerProducer.send([
      { topic: KAFKA_TOPICS.telemetryRaw, key: site, value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
      ...good.map((g) => ({ topic: KAFKA_TOPICS.telemetryRaw, key: site, value: encodeTelemetryBatch(g), headers: { [HEADERS.receivedAt]: String(Date.now()) } })),
    ]);
    const letters = await readRecords(eventLog, group, KAFKA_TOPICS.telemetryInvalid, site, 1);
    expect(letters[0]!.headers[HEADERS.code]).toBe('DCMMS_UPLINK_UNDECODABLE');
    expect(letters[0]!.headers[HEADERS.reason]).toMatch(/telemetry\.raw@\d+/);
    await expectTableEquals(store, good);
  });
});
