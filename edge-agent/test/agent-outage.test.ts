import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { parseSiteConfig } from '@dcmms/shared';
import { createEdgeAgent } from '../src/index.js';
import { sleep, usePlantFixture } from './support/plant-fixture.js';
import { CloudSink } from './support/cloud-sink.js';
import { startTestBroker } from './support/aedes-broker.js';
import type { TestBroker } from './support/aedes-broker.js';
import { simulatedSite } from './support/site.js';
import { recordingAdapters } from './support/recording-adapters.js';
import { keyOf } from './support/readings.js';
import { waitFor } from './support/wait.js';

const plant = usePlantFixture(11);

describe('uplink outage', () => {
  it('broker down for 60 s mid-stream: every reading arrives once, the backlog drains oldest first, live latency recovers within seconds', async () => {
    const sink = new CloudSink();
    let b: TestBroker = await startTestBroker({ pubackDelayMs: 5, onPublish: (t, p) => sink.accept(t, p) });
    const port = b.port;
    plant.defer(() => b.stop());
    const { factory, produced } = recordingAdapters();
    const agent = createEdgeAgent({
      config: parseSiteConfig(
        simulatedSite({
          simPort: plant.sim.port,
          url: b.url,
          bufferPath: join(plant.dir.path, 'buffer.db'),
          // Slow enough that the 60 s backlog takes a few seconds, so live and backfill overlap.
          uplink: { backfillReadingsPerSecond: 2000 },
        }),
      ),
      baseDir: plant.dir.path,
      adapterFactory: factory,
    });
    plant.defer(() => agent.stop());
    await agent.start();
    await waitFor(() => sink.uniqueBatches().length >= 20, 'data before the outage');

    await b.stop();
    const downAt = Date.now();
    await sleep(60_000);
    expect(agent.uplink!.isConnected()).toBe(false);
    const backlog = agent.buffer.stats().backlogReadings;
    expect(backlog).toBeGreaterThan(10_000);
    b = await startTestBroker({ port, pubackDelayMs: 5, onPublish: (t, p) => sink.accept(t, p) });
    const upAt = Date.now();
    await waitFor(() => agent.uplink!.isConnected(), 'reconnect', 10_000);
    const reconnectedAt = Date.now();

    // Let live data and the backlog flow together for a while, then wait for everything
    // produced up to now to arrive (production goes on).
    await sleep(8000);
    const cut = Date.now();
    await waitFor(
      () => {
        const got = sink.readingKeys();
        return produced.every((r) => r.ts > cut || got.has(keyOf(r)));
      },
      'every reading produced before the cut to arrive',
      60_000,
      200,
    );
    const received = sink.readingKeys();
    const expected = new Set(produced.filter((r) => r.ts <= cut).map(keyOf));
    const receivedUpToCut = new Set([...sink.uniqueBatches()].flatMap((x) => x.readings.filter((r) => r.ts <= cut).map(keyOf)));
    expect(receivedUpToCut).toEqual(expected);
    expect(received.size).toBeGreaterThanOrEqual(expected.size);
    expect(sink.gaps).toEqual([]);
    expect(sink.errors).toEqual([]);
    // Seqs are contiguous: nothing committed was lost.
    const seqs = sink.uniqueBatches().map((x) => x.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    // The backlog went out on the backfill lane, oldest first.
    const backfill = sink.batches.filter((x) => x.stream === 'backfill').map((x) => x.seq);
    expect(backfill.length).toBeGreaterThan(100);
    expect(backfill).toEqual([...backfill].sort((x, y) => x - y));
    // Live data flowed with normal latency while the backlog drained: every live batch
    // committed from 2 s after the reconnect on arrived within 2 s.
    const live = sink.batches.filter((x) => x.stream === 'live' && x.createdAt >= reconnectedAt + 2000 && x.createdAt <= cut);
    const drainedAt = sink.batches.filter((x) => x.stream === 'backfill').reduce((m, x) => Math.max(m, x.receivedAt), 0);
    const worst = Math.max(...live.map((x) => x.receivedAt - x.createdAt));
    console.log(
      `outage ${Math.round((upAt - downAt) / 1000)} s, backlog ${backlog} readings, reconnect ${reconnectedAt - upAt} ms, drained in ${drainedAt - reconnectedAt} ms, live batches after: ${live.length}, worst live latency ${worst} ms, duplicates ${sink.duplicateBatches()}`,
    );
    expect(live.length).toBeGreaterThan(10);
    expect(worst).toBeLessThan(2000);
    // ...and the backlog was still draining during part of that window.
    expect(drainedAt).toBeGreaterThan(reconnectedAt + 2500);
    // Duplicates only from batches in flight when the broker went away.
    expect(sink.duplicateBatches()).toBeLessThanOrEqual(16);
  }, 240_000);
});

describe('retention under a tiny byte cap', () => {
  it('gap records reach the cloud and account exactly for what was dropped', async () => {
    const sink = new CloudSink();
    const probe = await startTestBroker();
    const port = probe.port;
    await probe.stop();
    const bufferPath = join(plant.dir.path, 'buffer.db');
    const agent = createEdgeAgent({
      config: parseSiteConfig(simulatedSite({ simPort: plant.sim.port, url: `mqtt://127.0.0.1:${port}`, bufferPath, buffer: { maxBytes: 6000 } })),
      baseDir: plant.dir.path,
      adapterFactory: recordingAdapters().factory,
    });
    let stopped = false;
    plant.defer(() => (stopped ? undefined : agent.stop()));
    await agent.start();
    await waitFor(() => agent.buffer.counters().droppedReadings.buffer_bytes_limit > 500, 'drops', 30_000);
    expect(agent.buffer.stats().bytes).toBeLessThanOrEqual(6000);
    const b = await startTestBroker({ port, onPublish: (t, p) => sink.accept(t, p) });
    plant.defer(() => b.stop());
    await waitFor(() => agent.buffer.stats().unsentGaps === 0 && sink.gaps.length > 0 && agent.buffer.stats().backlogBatches < 3, 'gaps and backlog sent', 30_000);
    await agent.stop();
    stopped = true;
    const committed = agent.buffer.counters().committedReadings;
    const dropped = agent.buffer.counters().droppedReadings.buffer_bytes_limit;

    const db = new BetterSqlite3(bufferPath, { readonly: true });
    const left = db.prepare<[], { seq: number; readings: number }>('SELECT seq, readings FROM batches WHERE acked = 0').all();
    db.close();
    const got = sink.uniqueBatches();
    const gapReadings = sink.gaps.reduce((n, g) => n + g.readings, 0);
    expect(gapReadings).toBe(dropped);
    expect(got.reduce((n, x) => n + x.readings.length, 0) + gapReadings + left.reduce((n, x) => n + x.readings, 0)).toBe(committed);
    // Every seq is in exactly one place: received, reported dropped, or still buffered.
    const owner = new Map<number, string>();
    const claim = (seq: number, who: string) => {
      expect(owner.get(seq), `seq ${seq} claimed by ${owner.get(seq)} and ${who}`).toBeUndefined();
      owner.set(seq, who);
    };
    for (const x of got) claim(x.seq, 'received');
    for (const g of sink.gaps) for (let s = g.seqFrom!; s <= g.seqTo!; s++) claim(s, 'gap');
    for (const x of left) claim(x.seq, 'buffered');
    const all = [...owner.keys()].sort((x, y) => x - y);
    expect(all).toEqual(all.map((_, i) => i));
  }, 90_000);
});
