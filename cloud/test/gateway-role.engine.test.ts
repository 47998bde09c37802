import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KAFKA_TOPICS, encodeTelemetryBatch } from '@dcmms/shared';
import { createKafkaDownlink } from '../src/downlink/kafka.js';
import { HEADERS } from '../src/ingest/records.js';
import { createEventLog, type EventLog, type LogProducer } from '../src/kafka/index.js';
import { createRegistry, systemActor } from '../src/registry/index.js';
import { connectEdge } from './support/edge.js';
import { plantBatches } from './support/plant.js';
import { freePort, groupAtEnd, readRecords, startRole, uniqueSite, type RoleProcess } from './support/pipeline.js';
import { waitFor } from './support/recording-sinks.js';
import { postgresTestRegistry, type TestRegistry } from './support/registry-db.js';

const env = inject('engines');

describe('the gateway role (its own process) with credentials from the registry on PostgreSQL', () => {
  let registryDb: TestRegistry;
  let gateway: RoleProcess;
  let eventLog: EventLog;
  let producer: LogProducer;
  let port: number;
  const siteA = uniqueSite('role-a');
  const siteB = uniqueSite('role-b');
  const secrets: Record<string, string> = {};
  const url = () => `mqtt://127.0.0.1:${port}`;

  beforeAll(async () => {
    registryDb = await postgresTestRegistry(env['DATABASE_URL']!);
    const registry = createRegistry(registryDb.database);
    const tenant = await registry.tenants.create(systemActor('bootstrap'), { name: 'Role tenant' });
    const actor = systemActor(tenant.id);
    const scope = { tenantId: tenant.id, sites: null };
    for (const s of [siteA, siteB]) {
      await registry.sites.create(actor, scope, { id: s, name: s });
      secrets[s] = (await registry.credentials.issue(actor, scope, s, 0)).secret;
    }
    eventLog = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'gateway-role-test' });
    producer = await eventLog.producer();
    port = await freePort();
    gateway = startRole('gateway', { KAFKA_BROKERS: env['KAFKA_BROKERS']!, DATABASE_URL: registryDb.url, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), METRICS_HOST: '127.0.0.1', METRICS_PORT: '0' });
    await gateway.waitForLog(/gateway ready/);
  });

  afterAll(async () => {
    await gateway?.stop();
    await producer?.close();
    await eventLog?.close();
    await registryDb?.drop();
  });

  it('accepts the issued secret and refuses a wrong one', async () => {
    const err = await mqtt.connectAsync(url(), { username: siteA, password: 'wrong', clientId: siteA, reconnectPeriod: 0 }).then(
      async (c) => { await c.endAsync(true); return null; },
      (e: unknown) => e as { code?: number },
    );
    expect(err?.code).toBe(4);
    const edge = await connectEdge({ url: url(), site: siteA, secret: secrets[siteA]! });
    await edge.close();
  });

  it('produces to Kafka only after validation: a forged site id and an unauthorized topic land in telemetry.invalid', async () => {
    const group = await groupAtEnd(env, [KAFKA_TOPICS.telemetryInvalid]);
    const edge = await connectEdge({ url: url(), site: siteA, secret: secrets[siteA]!, reconnectPeriodMs: 0 });
    await edge.publishRaw('telemetry', encodeTelemetryBatch(plantBatches(siteB, { batches: 1, tags: 3 })[0]!));
    const closed = new Promise<void>((resolve) => edge.client.once('close', () => resolve()));
    void edge.client.publishAsync(`dcmms/v1/${siteB}/alerts`, '[]', { qos: 1 }).catch(() => undefined);
    await closed;
    await edge.close();
    const letters = await readRecords(eventLog, group, KAFKA_TOPICS.telemetryInvalid, siteA, 2);
    expect(letters.map((l) => l.headers[HEADERS.code])).toEqual(['DCMMS_UPLINK_SITE_MISMATCH', 'DCMMS_UPLINK_UNAUTHORIZED']);
  });

  it('refuses another site\'s downlink and cuts a 10 MB packet, then keeps serving', async () => {
    const edge = await connectEdge({ url: url(), site: siteA, secret: secrets[siteA]!, reconnectPeriodMs: 0 });
    await expect(edge.client.subscribeAsync(`dcmms/v1/${siteB}/config`, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const closed = new Promise<void>((resolve) => edge.client.once('close', () => resolve()));
    void edge.client.publishAsync(`dcmms/v1/${siteA}/telemetry`, randomBytes(10 * 1024 * 1024), { qos: 1 }).catch(() => undefined);
    await closed;
    await edge.close();
    const again = await connectEdge({ url: url(), site: siteA, secret: secrets[siteA]! });
    await again.publishBatches(plantBatches(siteA, { batches: 2, tags: 3 }));
    await again.close();
  });

  it('relays a downlink from Kafka (edge.downlink) to the connected site; retained config reaches a late subscriber', async () => {
    const downlink = createKafkaDownlink(producer);
    const edge = await connectEdge({ url: url(), site: siteB, secret: secrets[siteB]! });
    try {
      const got: string[] = [];
      edge.client.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
      await edge.client.subscribeAsync(`dcmms/v1/${siteB}/commands`, { qos: 1 });
      await downlink.publish(siteB, 'commands', Buffer.from('{"cmd":1}'));
      await downlink.publish(siteB, 'config', Buffer.from('{"version":2}'), { retain: true });
      await waitFor('the command', () => got.includes(`dcmms/v1/${siteB}/commands {"cmd":1}`), 30_000);
      await edge.client.subscribeAsync(`dcmms/v1/${siteB}/config`, { qos: 1 });
      await waitFor('the retained config', () => got.includes(`dcmms/v1/${siteB}/config {"version":2}`), 30_000);
    } finally {
      await edge.close();
    }
  });
});
