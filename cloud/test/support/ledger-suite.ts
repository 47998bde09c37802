import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GapRecord } from '@dcmms/shared';
import { createSqlCompletenessLedger } from '../../src/ledger/index.js';
import type { SqlCompletenessLedger } from '../../src/ledger/index.js';
import type { ReceivedBatch } from '../../src/ports/completeness-ledger.js';
import type { TestRegistry } from './registry-db.js';

const T0 = Date.UTC(2026, 2, 1);
const batch = (seq: number, over: Partial<ReceivedBatch> = {}): ReceivedBatch => ({
  site: 's1', stream: 'live', seq, readings: 10, fromTs: T0 + seq * 1000, toTs: T0 + seq * 1000 + 900, receivedAt: T0 + seq * 1000 + 2000, ...over,
});

export function ledgerSuite(engine: string, open: () => Promise<TestRegistry>): void {
  describe(`completeness ledger on ${engine}`, () => {
    let t: TestRegistry;
    let ledger: SqlCompletenessLedger;
    beforeEach(async () => {
      t = await open();
      ledger = createSqlCompletenessLedger(t.database, { now: () => T0 + 99_999 });
    });
    afterEach(() => t.drop());

    it('counts batches and readings in a window, idempotently', async () => {
      await ledger.recordBatches([1, 2, 3, 4, 5].map((s) => batch(s)));
      await ledger.recordBatches([batch(2), batch(3, { readings: 999 })]);
      const r = await ledger.report('s1', T0, T0 + 100_000);
      expect(r).toMatchObject({ batches: 5, readings: 50, missing: [], gaps: [] });
      expect((await ledger.report('s1', T0 + 2000, T0 + 4000)).batches).toBe(2);
      expect((await ledger.report('other', T0, T0 + 100_000)).batches).toBe(0);
    });

    it('reports holes inside the window, across its edges, and a window with nothing in it', async () => {
      await ledger.recordBatches([1, 2, 5, 6, 9, 10, 30].map((s) => batch(s)));
      expect((await ledger.report('s1', T0, T0 + 100_000)).missing).toEqual([
        { fromSeq: 3, toSeq: 4 },
        { fromSeq: 7, toSeq: 8 },
        { fromSeq: 11, toSeq: 29 },
      ]);
      // Window holding only seq 5: the holes towards its neighbours 2 and 6 border it.
      expect((await ledger.report('s1', T0 + 5000, T0 + 6000)).missing).toEqual([{ fromSeq: 3, toSeq: 4 }]);
      // Nothing received inside, but seq 10 before and 30 after: the whole hole is reported.
      expect((await ledger.report('s1', T0 + 15_000, T0 + 20_000))).toMatchObject({ batches: 0, readings: 0, missing: [{ fromSeq: 11, toSeq: 29 }] });
    });

    it('reasons by seq across the live and backfill lanes; an empty batch sits at its receive time', async () => {
      await ledger.recordBatches([batch(1), batch(3), batch(2, { stream: 'backfill' }), batch(4, { readings: 0, fromTs: null, toTs: null })]);
      const r = await ledger.report('s1', T0, T0 + 100_000);
      expect(r).toMatchObject({ batches: 4, readings: 30, missing: [] });
      expect((await ledger.report('s1', T0 + 6000, T0 + 6001)).batches).toBe(1);
    });

    it('keeps gap records once each and returns those overlapping the window', async () => {
      const gap: GapRecord = { site: 's1', what: 'telemetry', reason: 'buffer_age_limit', seqFrom: 3, seqTo: 4, fromTs: T0 + 3000, toTs: T0 + 4900, batches: 2, readings: 20, detectedAt: T0 + 50_000 };
      const other: GapRecord = { ...gap, reason: 'disk_full', seqFrom: null, seqTo: null, fromTs: T0 + 60_000, toTs: T0 + 61_000, batches: 0, readings: 7 };
      await ledger.recordGaps([gap, other]);
      await ledger.recordGaps([gap]);
      expect((await ledger.report('s1', T0, T0 + 100_000)).gaps).toEqual([gap, other]);
      expect((await ledger.report('s1', T0 + 4500, T0 + 5000)).gaps).toEqual([gap]);
      expect((await ledger.report('s1', T0 + 10_000, T0 + 20_000)).gaps).toEqual([]);
    });

    it('forgets batches and gaps older than the retention cut-off', async () => {
      await ledger.recordBatches([1, 2, 3, 4].map((s) => batch(s)));
      const gap: GapRecord = { site: 's1', what: 'telemetry', reason: 'disk_full', seqFrom: null, seqTo: null, fromTs: T0, toTs: T0 + 500, batches: 0, readings: 1, detectedAt: T0 + 600 };
      await ledger.recordGaps([gap]);
      expect(await ledger.prune(T0 + 3000)).toEqual({ batches: 2, gaps: 1 });
      expect(await ledger.report('s1', 0, T0 + 100_000)).toMatchObject({ batches: 2, readings: 20, missing: [], gaps: [] });
    });
  });
}
