import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, decodeTelemetryMessage } from '@dcmms/shared';
import type { GapRecord, Reading, TelemetryBatch } from '@dcmms/shared';
import type { Database } from 'better-sqlite3';
import { TelemetryBuffer, openBufferDatabase } from '../src/index.js';
import type { BufferLimits } from '../src/index.js';
import { tempDir } from './support/temp-dir.js';
import { keyOf, plantCycle } from './support/readings.js';

const SITE = 'plant-01';
const LIMITS: BufferLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxAgeMs: 24 * 3600_000,
  maxReadingsPerBatch: 10_000,
  maxBatchBytes: 256 * 1024,
  maxPendingReadings: 100_000,
};

let dir: ReturnType<typeof tempDir>;
let dbs: Database[] = [];
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const db of dbs) if (db.open) db.close();
  dbs = [];
  dir.cleanup();
});

function open(limits: Partial<BufferLimits> = {}, clock = createManualClock(1_700_000_100_000), maxPageCount?: number) {
  const db = openBufferDatabase({ path: join(dir.path, 'buffer.db'), site: SITE, ...(maxPageCount === undefined ? {} : { maxPageCount }) });
  dbs.push(db);
  const buffer = new TelemetryBuffer({ db, site: SITE, clock, limits: { ...LIMITS, ...limits } });
  return { db, buffer, clock };
}

function decodeBatch(body: Buffer): TelemetryBatch {
  const message = decodeTelemetryMessage(body);
  if (message.kind !== 'batch') throw new Error('expected a batch');
  return message.batch;
}

function decodeGap(body: Buffer): GapRecord {
  const message = decodeTelemetryMessage(body);
  if (message.kind !== 'gap') throw new Error('expected a gap');
  return message.gap;
}

describe('TelemetryBuffer commit', () => {
  it('stores each commit as encoded batches with contiguous seqs that decode to the readings', () => {
    const { buffer } = open({ maxReadingsPerBatch: 300 });
    const produced: Reading[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const readings = plantCycle(cycle, 250);
      produced.push(...readings);
      buffer.append(readings);
      buffer.commit();
    }
    // 250 per commit fits one batch; 3 commits -> seqs 0, 1, 2.
    const rows = buffer.readUnacked(0, Number.MAX_SAFE_INTEGER, 100);
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2]);
    const decoded = rows.flatMap((r) => {
      const b = decodeBatch(r.body);
      expect(b.seq).toBe(r.seq);
      expect(b.site).toBe(SITE);
      expect(r.bytes).toBe(r.body.length);
      return b.readings;
    });
    expect(decoded).toEqual(produced);
    const stats = buffer.stats();
    expect(stats).toMatchObject({ batches: 3, readings: 750, backlogBatches: 3, backlogReadings: 750, lastSeq: 2, ackedSeq: null, pendingReadings: 0 });
    expect(stats.oldestTs).toBe(produced[0]!.ts);
  });

  it('splits a window by maxReadingsPerBatch and by maxBatchBytes, seqs still contiguous', () => {
    const { buffer } = open({ maxReadingsPerBatch: 100, maxBatchBytes: 150 });
    const readings = plantCycle(0, 450);
    buffer.append(readings);
    buffer.commit();
    const rows = buffer.readUnacked(0, Number.MAX_SAFE_INTEGER, 1000);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    for (const r of rows) if (r.readings > 1) expect(r.bytes).toBeLessThanOrEqual(150);
    expect(rows.flatMap((r) => decodeBatch(r.body).readings)).toEqual(readings);
  });

  it('refuses a reading that breaks the contract, counts it, and keeps the others', () => {
    const { buffer } = open();
    const good = plantCycle(0, 10);
    buffer.append([...good.slice(0, 5), { tag: 'bad\u0001tag', ts: 1, value: 1, quality: 'good' }, ...good.slice(5)]);
    buffer.commit();
    const rows = buffer.readUnacked(0, 100, 10);
    expect(rows.flatMap((r) => decodeBatch(r.body).readings)).toEqual(good);
    expect(buffer.counters().rejectedReadings).toBe(1);
  });
});

describe('TelemetryBuffer acknowledgements and restart', () => {
  it('acknowledged batches leave the backlog, are deleted by housekeeping, and seqs continue after a restart', () => {
    const first = open();
    for (let cycle = 0; cycle < 4; cycle++) {
      first.buffer.append(plantCycle(cycle, 20));
      first.buffer.commit();
    }
    expect(first.buffer.ack(0, 'live')).toBe(true);
    expect(first.buffer.ack(0, 'live')).toBe(false);
    expect(first.buffer.ack(2, 'backfill')).toBe(true);
    expect(first.buffer.readUnacked(0, 100, 10).map((r) => r.seq)).toEqual([1, 3]);
    expect(first.buffer.stats()).toMatchObject({ backlogBatches: 2, backlogReadings: 40, batches: 4, ackedSeq: 2 });
    first.buffer.housekeep();
    expect(first.buffer.stats()).toMatchObject({ batches: 2, readings: 40, backlogBatches: 2 });
    expect(first.buffer.ack(1, 'backfill')).toBe(true);
    expect(first.buffer.ack(3, 'live')).toBe(true);
    first.buffer.housekeep();
    expect(first.buffer.stats()).toMatchObject({ batches: 0, bytes: 0, backlogBatches: 0 });
    const cursors = first.db.prepare('SELECT stream, seq FROM cursors ORDER BY stream').all();
    expect(cursors).toEqual([
      { stream: 'backfill', seq: 2 },
      { stream: 'backfill_low_water', seq: 3 },
      { stream: 'live', seq: 3 },
    ]);
    first.db.close();

    const second = open();
    expect(second.buffer.peekNextSeq()).toBe(4);
    expect(second.buffer.stats()).toMatchObject({ lastSeq: 3, ackedSeq: 3, batches: 0 });
    second.buffer.append(plantCycle(9, 5));
    second.buffer.commit();
    expect(second.buffer.readUnacked(0, 100, 10).map((r) => r.seq)).toEqual([4]);
  });

  it('a restart resumes from what was not acknowledged', () => {
    const first = open();
    for (let cycle = 0; cycle < 5; cycle++) {
      first.buffer.append(plantCycle(cycle, 20));
      first.buffer.commit();
    }
    first.buffer.ack(0, 'live');
    first.buffer.ack(1, 'live');
    first.buffer.ack(3, 'live');
    first.db.close();
    const second = open();
    expect(second.buffer.readUnacked(0, 100, 10).map((r) => r.seq)).toEqual([2, 4]);
    expect(second.buffer.stats()).toMatchObject({ backlogBatches: 2, backlogReadings: 40 });
  });
});

describe('TelemetryBuffer retention', () => {
  it('a tiny byte cap drops the oldest unacknowledged batches and gap records account for exactly those readings', () => {
    const { buffer } = open({ maxBytes: 2_000 });
    const produced: Reading[] = [];
    for (let cycle = 0; cycle < 40; cycle++) {
      const readings = plantCycle(cycle, 30);
      produced.push(...readings);
      buffer.append(readings);
      buffer.commit();
    }
    expect(buffer.stats().bytes).toBeLessThanOrEqual(2_000);
    const kept = buffer.readUnacked(0, Number.MAX_SAFE_INTEGER, 1000);
    const gaps = buffer.unsentGaps(0, 1000).map((g) => decodeGap(g.body));
    expect(gaps.length).toBeGreaterThan(0);
    for (const g of gaps) expect(g).toMatchObject({ site: SITE, what: 'telemetry', reason: 'buffer_bytes_limit' });
    // Every seq is either still stored or inside exactly one gap record.
    const covered = new Map<number, string>();
    for (const r of kept) covered.set(r.seq, 'kept');
    for (const g of gaps) {
      for (let s = g.seqFrom!; s <= g.seqTo!; s++) {
        expect(covered.has(s)).toBe(false);
        covered.set(s, 'gap');
      }
    }
    expect([...covered.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const keptReadings = kept.flatMap((r) => decodeBatch(r.body).readings);
    const gapReadings = gaps.reduce((n, g) => n + g.readings, 0);
    expect(keptReadings.length + gapReadings).toBe(produced.length);
    expect(gaps.reduce((n, g) => n + g.batches, 0)).toBe(40 - kept.length);
    // What is kept is the newest data.
    expect(new Set(keptReadings.map(keyOf))).toEqual(new Set(produced.slice(produced.length - keptReadings.length).map(keyOf)));
    // Time ranges of the gaps cover the dropped readings.
    const dropped = produced.slice(0, produced.length - keptReadings.length);
    expect(Math.min(...gaps.map((g) => g.fromTs))).toBe(dropped[0]!.ts);
    expect(Math.max(...gaps.map((g) => g.toTs))).toBe(dropped[dropped.length - 1]!.ts);
    expect(buffer.counters().droppedReadings.buffer_bytes_limit).toBe(gapReadings);
  });

  it('never drops a batch that is in flight, and splits the gap records around it', () => {
    const { buffer } = open({ maxBytes: 10_000_000 });
    for (let cycle = 0; cycle < 6; cycle++) {
      buffer.append(plantCycle(cycle, 30));
      buffer.commit();
    }
    buffer.markInFlight(2);
    buffer.setLimits({ ...LIMITS, maxBytes: 1 });
    buffer.housekeep();
    expect(buffer.readUnacked(0, 100, 10).map((r) => r.seq)).toEqual([2]);
    const gaps = buffer.unsentGaps(0, 10).map((g) => decodeGap(g.body));
    expect(gaps.map((g) => [g.seqFrom, g.seqTo, g.batches])).toEqual([
      [0, 1, 2],
      [3, 5, 3],
    ]);
    // The in-flight batch is acknowledged after all: nothing of it is reported lost.
    expect(buffer.ack(2, 'live')).toBe(true);
  });

  it('drops unacknowledged batches older than the age limit', () => {
    const clock = createManualClock(1_700_000_100_000);
    const { buffer } = open({ maxAgeMs: 60_000 }, clock);
    buffer.append(plantCycle(0, 10));
    buffer.commit();
    clock.advance(30_000);
    buffer.append(plantCycle(1, 10));
    buffer.commit();
    clock.advance(40_000);
    buffer.housekeep();
    expect(buffer.readUnacked(0, 100, 10).map((r) => r.seq)).toEqual([1]);
    const [gap, ...rest] = buffer.unsentGaps(0, 10);
    expect(rest).toEqual([]);
    expect(decodeGap(gap!.body)).toMatchObject({ reason: 'buffer_age_limit', seqFrom: 0, seqTo: 0, batches: 1, readings: 10 });
    buffer.ackGap(gap!.id);
    expect(buffer.unsentGaps(0, 10)).toEqual([]);
    expect(buffer.stats().unsentGaps).toBe(0);
  });
});

describe('TelemetryBuffer on a full disk', () => {
  it('keeps readings in memory while the disk is full, sheds beyond the bound as a disk_full gap, and recovers', () => {
    const { db, buffer } = open({ maxPendingReadings: 5_000 }, createManualClock(1_700_000_100_000), 40);
    let cycle = 0;
    // Fill the file up to its page cap.
    while (!buffer.stats().diskFull && cycle < 10_000) {
      buffer.append(plantCycle(cycle++, 200));
      buffer.commit();
    }
    expect(buffer.stats().diskFull).toBe(true);
    expect(buffer.stats().lastError).toBe('disk full');
    // Keep producing while full: memory stays bounded.
    for (let i = 0; i < 50; i++) {
      buffer.append(plantCycle(cycle++, 200));
      buffer.commit();
      expect(buffer.stats().pendingReadings).toBeLessThanOrEqual(5_000);
    }
    expect(buffer.counters().droppedReadings.disk_full).toBeGreaterThan(0);
    // Space returns.
    db.pragma('max_page_count = 100000');
    buffer.append(plantCycle(cycle++, 200));
    const shed = buffer.counters().droppedReadings.disk_full;
    buffer.commit();
    expect(buffer.stats().diskFull).toBe(false);
    expect(buffer.stats().lastError).toBeNull();
    const gaps = buffer.unsentGaps(0, 10).map((g) => decodeGap(g.body));
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ reason: 'disk_full', seqFrom: null, seqTo: null, batches: 0, readings: shed });
    // Produced = committed + shed: nothing vanished without a record.
    expect(buffer.counters().committedReadings + shed).toBe(cycle * 200);
  });
});
