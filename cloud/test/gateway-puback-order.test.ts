import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTelemetryBatch, type TelemetryBatch } from '@dcmms/shared';
import { createFileCredentialVerifier, writeSiteCredential } from '../src/gateway/credentials-file.js';
import { createGateway, type Gateway, type GatewayLimits } from '../src/gateway/gateway.js';
import type { IntakeItem } from '../src/ingest/messages.js';
import { connectEdge, type ScriptedEdge } from './support/edge.js';
import { recordingIntake } from './support/intake.js';
import { plantBatches } from './support/plant.js';
import { waitFor } from './support/recording-sinks.js';

// aedes sends the PUBACK after authorizePublish calls back, but does not promise it (aedes#808):
// these tests fail if a PUBACK ever leaves before the intake (Kafka) has kept the message.
describe('PUBACK only after the intake kept the message; per-site order', () => {
  let dir: string;
  let gateway: Gateway | undefined;
  let edge: ScriptedEdge | undefined;

  afterEach(async () => {
    await edge?.close();
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
    edge = undefined;
    gateway = undefined;
  });

  async function start(deliver: (items: readonly IntakeItem[], call: number) => Promise<void>, limits: Partial<GatewayLimits> = {}) {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-gw-order-'));
    const file = join(dir, 'credentials.json');
    await writeSiteCredential(file, 'site-o', 't1', 'o-secret');
    const intake = recordingIntake({ deliver });
    gateway = await createGateway({
      credentials: createFileCredentialVerifier(file),
      intake: intake.sink,
      tcp: { host: '127.0.0.1', port: 0 },
      limits: { ...limits },
    });
    edge = await connectEdge({ url: `mqtt://127.0.0.1:${gateway.tcpPort}`, site: 'site-o', secret: 'o-secret' });
    return intake;
  }

  it('holds the PUBACK while the produce is pending, sends it right after', async () => {
    const events: string[] = [];
    let release!: () => void;
    const intake = await start(async () => {
      events.push('produce-started');
      await new Promise<void>((resolve) => (release = resolve));
      events.push('produce-acked');
    });
    edge!.client.on('packetreceive', (p) => p.cmd === 'puback' && events.push('puback'));
    const published = edge!.publishRaw('telemetry', encodeTelemetryBatch(plantBatches('site-o', { batches: 1, tags: 3 })[0]!));
    await waitFor('the produce to start', () => intake.calls.length === 1);
    // Time for a PUBACK sent too early to arrive (it would within a millisecond on loopback).
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual(['produce-started']);
    release();
    await published;
    expect(events).toEqual(['produce-started', 'produce-acked', 'puback']);
  });

  it('keeps retrying a failing produce with the same messages, PUBACK only after it finally succeeds', async () => {
    const events: string[] = [];
    const intake = await start(async (_items, call) => {
      if (call <= 3) {
        events.push(`fail-${call}`);
        throw new Error('broker not available');
      }
      events.push('ok');
    });
    edge!.client.on('packetreceive', (p) => p.cmd === 'puback' && events.push('puback'));
    await edge!.publishBatches(plantBatches('site-o', { batches: 1, tags: 3 }));
    expect(events).toEqual(['fail-1', 'fail-2', 'fail-3', 'ok', 'puback']);
    expect(intake.calls.map((c) => c.length)).toEqual([1, 1, 1, 1]);
    expect(intake.accepted()).toHaveLength(1);
  });

  it('delivers a burst of one site in publish order, even with slow and failing produce calls', async () => {
    const intake = await start(async (_items, call) => {
      await new Promise((r) => setTimeout(r, 5));
      if (call % 7 === 3) throw new Error('transient');
    }, { maxBatchItems: 13 });
    const batches = plantBatches('site-o', { batches: 400, tags: 2 });
    const acked: number[] = [];
    await edge!.publishBatches(batches, 400, (b) => acked.push(b.seq));
    const seqs = intake.accepted().map((m) => (m.uplink.kind === 'batch' ? m.uplink.batch.seq : -1));
    expect(seqs).toEqual(batches.map((b) => b.seq));
    expect(acked).toHaveLength(400);
  });

  it('stops reading sockets when the in-flight budget is spent instead of buffering', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const limits = { maxInflightBytes: 128 * 1024, maxBatchItems: 4, maxPayloadBytes: 48 * 1024, maxPacketBytes: 64 * 1024 };
    const intake = await start(async () => gate, limits);
    // Arbitrary doubles do not compress: ~20 KB messages; 8 connections x 40 of them = 6.4 MB offered.
    const batchesOf = (lane: number): TelemetryBatch[] =>
      Array.from({ length: 40 }, (_, i) => ({
        site: 'site-o', stream: 'live', seq: lane * 1000 + i, createdAt: 1_800_000_000_000 + i * 1000,
        readings: Array.from({ length: 2500 }, (_, k) => ({ tag: `t${k % 50}`, ts: 1_800_000_000_000 + i * 1000 + Math.floor(k / 50), value: Math.random() * 1e6, quality: 'good' as const })),
      }));
    const lanes = Array.from({ length: 8 }, (_, lane) => batchesOf(lane));
    expect(Math.min(...lanes[0]!.map((b) => encodeTelemetryBatch(b).length))).toBeGreaterThan(16 * 1024);
    const edges = await Promise.all(lanes.map((_, lane) => connectEdge({ url: `mqtt://127.0.0.1:${gateway!.tcpPort}`, site: 'site-o', secret: 'o-secret', clientId: `site-o:${lane}` })));
    try {
      const done = Promise.all(edges.map((e, lane) => e.publishBatches(lanes[lane]!, 40)));
      await waitFor('the budget to be spent and every socket paused', () => gateway!.stats().paused);
      // Give a gateway that kept reading time to pile up what the clients are still sending.
      await new Promise((r) => setTimeout(r, 500));
      // Held: at most what each connection had read when reading stopped (a socket read plus
      // one partial packet), far below the 6.4 MB offered.
      expect(gateway!.stats().inflightBytes).toBeLessThan(8 * 160 * 1024);
      expect(intake.delivered).toHaveLength(0);
      release();
      await done;
      expect(intake.accepted()).toHaveLength(320);
      for (let lane = 0; lane < 8; lane++) {
        const seqs = intake.accepted().flatMap((m) => (m.uplink.kind === 'batch' && Math.floor(m.uplink.batch.seq / 1000) === lane ? [m.uplink.batch.seq] : []));
        expect(seqs).toEqual(lanes[lane]!.map((b) => b.seq));
      }
      expect(gateway!.stats().peakInflightBytes).toBeLessThan(8 * 160 * 1024);
      expect(gateway!.stats().paused).toBe(false);
    } finally {
      await Promise.all(edges.map((e) => e.close()));
    }
  });
});
