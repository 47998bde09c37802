import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, encodeTelemetryBatch } from '@dcmms/shared';
import type { Registry } from 'prom-client';
import { createFileCredentialVerifier, writeSiteCredential } from '../src/gateway/credentials-file.js';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { createInProcessDownlink } from '../src/downlink/in-process.js';
import { connectEdge } from './support/edge.js';
import { recordingIntake } from './support/intake.js';
import { plantBatches } from './support/plant.js';
import { waitFor } from './support/recording-sinks.js';
import { selfSignedCertificate } from './support/tls.js';

const LIMITS = { maxPayloadBytes: 512 * 1024, maxPacketBytes: 1024 * 1024, deadLetterKeepBytes: 64 * 1024 };

describe('gateway security: authentication, topic ACL, refused payloads', () => {
  let dir: string;
  let gateway: Gateway;
  let metrics: Registry;
  const intake = recordingIntake();
  const tls = selfSignedCertificate();
  const url = () => `mqtt://127.0.0.1:${gateway.tcpPort}`;
  const metric = async (name: string, label?: Record<string, string>) => {
    const m = (await metrics.getMetricsAsJSON()).find((x) => x.name === name);
    return (m?.values as Array<{ value: number; labels: Record<string, string> }> | undefined)
      ?.filter((v) => !label || Object.entries(label).every(([k, val]) => v.labels[k] === val))
      .reduce((s, v) => s + v.value, 0) ?? 0;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-gw-sec-'));
    const file = join(dir, 'credentials.json');
    await writeSiteCredential(file, 'site-a', 't1', 'a-secret');
    await writeSiteCredential(file, 'site-b', 't2', 'b-secret');
    await writeSiteCredential(file, 'site-c', 't1', 'c-secret');
    await writeSiteCredential(file, 'site-d', 't2', 'd-secret');
    metrics = createMetricsRegistry({ defaultMetrics: false });
    gateway = await createGateway({
      credentials: createFileCredentialVerifier(file),
      intake: intake.sink,
      tcp: { host: '127.0.0.1', port: 0 },
      tls: { host: '127.0.0.1', port: 0, cert: tls.cert, key: tls.key },
      limits: { ...LIMITS, authFailureWindowMs: 8000 },
      metrics,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refusedConnect = async (opts: mqtt.IClientOptions) => {
    const err = await mqtt.connectAsync(url(), { reconnectPeriod: 0, connectTimeout: 5000, ...opts }).then(
      async (c) => {
        await c.endAsync(true);
        return null;
      },
      (e: unknown) => e as Error & { code?: number },
    );
    expect(err).not.toBeNull();
    return err!;
  };

  it('refuses a wrong secret, an unknown site and a missing password', async () => {
    expect((await refusedConnect({ username: 'site-a', password: 'wrong', clientId: 'site-a' })).code).toBe(4);
    expect((await refusedConnect({ username: 'site-x', password: 'a-secret', clientId: 'site-x' })).code).toBe(4);
    expect((await refusedConnect({ username: 'site-a', clientId: 'site-a' })).code).toBe(4);
    expect(await metric('dcmms_gateway_auth_failures_total')).toBe(3);
  });

  it('stops checking secrets for a site after repeated failures from one address (guessing is throttled)', async () => {
    for (let i = 0; i < 5; i++) expect((await refusedConnect({ username: 'site-c', password: `guess-${i}`, clientId: 'c' })).code).toBe(4);
    // Even the right secret is refused now, without being checked, until the window passes.
    expect((await refusedConnect({ username: 'site-c', password: 'c-secret', clientId: 'c' })).code).toBe(5);
    expect(await metric('dcmms_gateway_auth_failures_total', { reason: 'too-many-failures' })).toBe(1);
    // Other sites from the same address are not affected.
    const edge = await connectEdge({ url: url(), site: 'site-d', secret: 'd-secret', clientId: 'd-probe' });
    await edge.close();
  });

  it('keeps sessions per site: site C using site D\'s client id does not take over D\'s connection', async () => {
    const edgeD = await connectEdge({ url: url(), site: 'site-d', secret: 'd-secret', clientId: 'edge-1', reconnectPeriodMs: 0 });
    let dClosed = false;
    edgeD.client.on('close', () => (dClosed = true));
    // site-c was locked out for 8 s by the throttling test: wait for its window to pass.
    const edgeC = await waitFor('site-c to be let in again', () => connectEdge({ url: url(), site: 'site-c', secret: 'c-secret', clientId: 'edge-1', reconnectPeriodMs: 0 }), 25_000, 500);
    try {
      await edgeC.publishBatches(plantBatches('site-c', { batches: 1, tags: 2 }));
      await edgeD.publishBatches(plantBatches('site-d', { batches: 1, tags: 2 }));
      expect(dClosed).toBe(false);
      expect(intake.accepted().filter((m) => m.site === 'site-c' || m.site === 'site-d')).toHaveLength(2);
    } finally {
      await edgeC.close();
      await edgeD.close();
    }
  }, 40_000);

  it('closes the connection of a site publishing to another site\'s topic, keeps the bytes, delivers nothing for B', async () => {
    const edgeA = await connectEdge({ url: url(), site: 'site-a', secret: 'a-secret', reconnectPeriodMs: 0 });
    const closed = new Promise<void>((resolve) => edgeA.client.once('close', () => resolve()));
    const batch = plantBatches('site-b', { batches: 1, tags: 5 })[0]!;
    void edgeA.client.publishAsync('dcmms/v1/site-b/telemetry', encodeTelemetryBatch(batch), { qos: 1 }).catch(() => undefined);
    await closed;
    await edgeA.close();
    await waitFor('the dead letter', () => intake.deadLetters().find((d) => d.code === 'DCMMS_UPLINK_UNAUTHORIZED'));
    const letter = intake.deadLetters().find((d) => d.code === 'DCMMS_UPLINK_UNAUTHORIZED')!;
    expect(letter).toMatchObject({ site: 'site-a', topic: 'dcmms/v1/site-b/telemetry' });
    expect(letter.payload.equals(encodeTelemetryBatch(batch))).toBe(true);
    expect(intake.accepted().filter((m) => m.site === 'site-b')).toEqual([]);
  });

  it('refuses publishing to $SYS and to topics outside dcmms/v1', async () => {
    for (const topic of ['$SYS/broker/x', 'dcmms/v1/site-a/config', 'other/topic']) {
      const edge = await connectEdge({ url: url(), site: 'site-a', secret: 'a-secret', reconnectPeriodMs: 0 });
      const closed = new Promise<void>((resolve) => edge.client.once('close', () => resolve()));
      void edge.client.publishAsync(topic, 'x', { qos: 1 }).catch(() => undefined);
      await closed;
      await edge.close();
    }
    expect(await metric('dcmms_gateway_messages_rejected_total', { code: 'DCMMS_UPLINK_UNAUTHORIZED' })).toBe(4);
  });

  it('grants a site only its own downlink subscriptions; another site\'s downlink never reaches it', async () => {
    const edgeA = await connectEdge({ url: url(), site: 'site-a', secret: 'a-secret' });
    try {
      const granted = await edgeA.client.subscribeAsync('dcmms/v1/site-a/config', { qos: 1 });
      expect(granted.map((g) => [g.topic, g.qos])).toEqual([['dcmms/v1/site-a/config', 1]]);
      // mqtt.js rejects a SUBACK with return code 128 (refused).
      for (const topic of ['dcmms/v1/site-b/config', 'dcmms/v1/+/commands', '#', '$SYS/#', 'dcmms/v1/site-a/telemetry']) {
        await expect(edgeA.client.subscribeAsync(topic, { qos: 1 })).rejects.toThrow(/Subscribe error/);
      }
      expect(await metric('dcmms_gateway_subscribe_denied_total')).toBe(5);
      const received: string[] = [];
      edgeA.client.on('message', (topic) => received.push(topic));
      const downlink = createInProcessDownlink(gateway.broker);
      await downlink.publish('site-b', 'config', Buffer.from('{"for":"b"}'));
      await downlink.publish('site-a', 'config', Buffer.from('{"for":"a"}'));
      await waitFor('site A\'s own config', () => received.includes('dcmms/v1/site-a/config'));
      expect(received).toEqual(['dcmms/v1/site-a/config']);
    } finally {
      await edgeA.close();
    }
  });

  it('cuts a 10 MB packet at its header, keeps its first bytes, and keeps serving', async () => {
    const edge = await connectEdge({ url: url(), site: 'site-a', secret: 'a-secret', reconnectPeriodMs: 0 });
    const closed = new Promise<void>((resolve) => edge.client.once('close', () => resolve()));
    void edge.client.publishAsync('dcmms/v1/site-a/telemetry', randomBytes(10 * 1024 * 1024), { qos: 1 }).catch(() => undefined);
    await closed;
    await edge.close();
    const letter = await waitFor('the oversized dead letter', () => intake.deadLetters().find((d) => d.code === 'DCMMS_UPLINK_TOO_LARGE' && d.size > 10_000_000));
    expect(letter.site).toBe('site-a');
    expect(letter.payload.length).toBeGreaterThan(0);
    expect(letter.payload.length).toBeLessThanOrEqual(LIMITS.deadLetterKeepBytes);
    // A payload over the payload limit but under the packet limit is refused and acknowledged.
    const again = await connectEdge({ url: url(), site: 'site-a', secret: 'a-secret' });
    try {
      await again.publishRaw('telemetry', randomBytes(600 * 1024));
      expect(intake.deadLetters().filter((d) => d.code === 'DCMMS_UPLINK_TOO_LARGE' && d.size === 600 * 1024)).toHaveLength(1);
      await again.publishBatches(plantBatches('site-a', { batches: 2, tags: 3 }));
      expect(intake.accepted().filter((m) => m.site === 'site-a' && m.uplink.kind === 'batch')).toHaveLength(2);
    } finally {
      await again.close();
    }
  });

  it('keeps random bytes, broken JSON, schema violations and a forged site id as dead letters (acknowledged)', async () => {
    const edge = await connectEdge({ url: url(), site: 'site-a', secret: 'a-secret' });
    try {
      const junk = randomBytes(4096);
      await edge.publishRaw('telemetry', junk);
      await edge.publishRaw('alerts', '{"site": "site-a", "alertId": ');
      await edge.publishJson('status', { site: 'site-a', state: 'melting', ts: 1, appliedConfigVersion: null });
      const forged = plantBatches('site-b', { batches: 1, tags: 4 })[0]!;
      await edge.publishRaw('telemetry', encodeTelemetryBatch(forged));
      await edge.publishJson('status', { site: 'site-b', state: 'offline', ts: 1, appliedConfigVersion: null });
    } finally {
      await edge.close();
    }
    const codes = intake.deadLetters().slice(-5).map((d) => d.code);
    expect(codes).toEqual(['DCMMS_UPLINK_UNDECODABLE', 'DCMMS_UPLINK_UNDECODABLE', 'DCMMS_UPLINK_INVALID', 'DCMMS_UPLINK_SITE_MISMATCH', 'DCMMS_UPLINK_SITE_MISMATCH']);
    expect(intake.deadLetters().at(-5)!.payload.length).toBe(4096);
    expect(intake.accepted().filter((m) => m.site === 'site-b')).toEqual([]);
  });

  it('survives random bytes instead of MQTT on the socket', async () => {
    const socket = tcpConnect(gateway.tcpPort!, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(randomBytes(64 * 1024));
    await closed;
    const edge = await connectEdge({ url: url(), site: 'site-a', secret: 'a-secret' });
    await edge.publishBatches(plantBatches('site-a', { batches: 1, tags: 3, firstSeq: 100 }));
    await edge.close();
  });

  it('serves MQTT over TLS with the same credentials, and only TLS on the TLS port', async () => {
    const edge = await connectEdge({ url: `mqtts://127.0.0.1:${gateway.tlsPort}`, site: 'site-b', secret: 'b-secret', ca: tls.cert });
    try {
      await edge.publishBatches(plantBatches('site-b', { batches: 3, tags: 3 }));
      expect(intake.accepted().filter((m) => m.site === 'site-b' && m.uplink.kind === 'batch')).toHaveLength(3);
    } finally {
      await edge.close();
    }
    // Plain MQTT on the TLS port: the TLS server drops it, no CONNACK ever comes.
    const plain = mqtt.connect(`mqtt://127.0.0.1:${gateway.tlsPort}`, { username: 'site-b', password: 'b-secret', clientId: 'site-b', reconnectPeriod: 0, connectTimeout: 3000 });
    const outcome = await new Promise<string>((resolve) => {
      plain.once('connect', () => resolve('connected'));
      plain.once('close', () => resolve('closed'));
      plain.once('error', () => resolve('closed'));
    });
    await plain.endAsync(true);
    expect(outcome).toBe('closed');
  });
});
