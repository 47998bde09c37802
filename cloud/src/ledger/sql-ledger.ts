import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { gapRecordSchema, type GapRecord } from '@dcmms/shared';
import type { RegistryDatabase } from '../db/connect.js';
import type { CompletenessLedger, CompletenessReport, ReceivedBatch } from '../ports/completeness-ledger.js';
import { mergeRanges } from './holes.js';

// PostgreSQL allows 65,535 bind parameters per statement: 8 columns x 1,000 rows stays far below.
const CHUNK = 1000;

/** A gap's identity is its content: the edge may report the same loss again after a reconnect. */
export function gapId(g: GapRecord): string {
  const canonical = [g.site, g.what, g.reason, g.seqFrom, g.seqTo, g.fromTs, g.toTs, g.batches, g.readings, g.detectedAt];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}

export interface SqlLedgerOptions {
  readonly now?: () => number;
}

/**
 * The completeness ledger over the registry database (PostgreSQL or SQLite, same queries).
 * One row per batch keyed by (site, seq): recording twice is a no-op by the key alone, so
 * two workers racing through a rebalance cannot double-count.
 *
 * Report semantics for a window [from, to): a batch belongs to it by its first reading's
 * timestamp (its receive time when empty); `missing` lists the seq holes among the
 * window's batches and their nearest neighbours on either side, so a hole spanning the
 * window's edge, or the whole window, is reported too.
 */
export interface SqlCompletenessLedger extends CompletenessLedger {
  /**
   * Retention: forgets batches whose time is before `before` and gaps that ended before it.
   * A report for a window after `before` is unchanged except for a hole right at the edge.
   */
  prune(before: number): Promise<{ batches: number; gaps: number }>;
}

export function createSqlCompletenessLedger(database: RegistryDatabase, options: SqlLedgerOptions = {}): SqlCompletenessLedger {
  const { db } = database;
  const now = options.now ?? Date.now;

  return {
    async prune(before) {
      const b = await db.deleteFrom('ledger_batches').where('window_ts', '<', before).executeTakeFirst();
      const g = await db.deleteFrom('ledger_gaps').where('to_ts', '<', before).executeTakeFirst();
      return { batches: Number(b.numDeletedRows), gaps: Number(g.numDeletedRows) };
    },

    async recordBatches(batches: readonly ReceivedBatch[]) {
      for (let i = 0; i < batches.length; i += CHUNK) {
        const rows = batches.slice(i, i + CHUNK).map((b) => ({
          site: b.site,
          seq: b.seq,
          stream: b.stream,
          readings: b.readings,
          from_ts: b.fromTs,
          to_ts: b.toTs,
          window_ts: b.fromTs ?? b.receivedAt,
          received_at: b.receivedAt,
        }));
        await db.insertInto('ledger_batches').values(rows).onConflict((oc) => oc.columns(['site', 'seq']).doNothing()).execute();
      }
    },

    async recordGaps(gaps: readonly GapRecord[]) {
      const at = now();
      for (let i = 0; i < gaps.length; i += CHUNK) {
        const rows = gaps.slice(i, i + CHUNK).map((g) => ({
          site: g.site,
          gap_id: gapId(g),
          reason: g.reason,
          seq_from: g.seqFrom,
          seq_to: g.seqTo,
          from_ts: g.fromTs,
          to_ts: g.toTs,
          batches: g.batches,
          readings: g.readings,
          detected_at: g.detectedAt,
          recorded_at: at,
        }));
        await db.insertInto('ledger_gaps').values(rows).onConflict((oc) => oc.columns(['site', 'gap_id']).doNothing()).execute();
      }
    },

    async report(site: string, from: number, to: number): Promise<CompletenessReport> {
      const stats = await db
        .selectFrom('ledger_batches')
        .select((eb) => [
          eb.fn.countAll<number | string>().as('batches'),
          eb.fn.sum<number | string | null>('readings').as('readings'),
          eb.fn.min<number | string | null>('seq').as('minSeq'),
          eb.fn.max<number | string | null>('seq').as('maxSeq'),
        ])
        .where('site', '=', site)
        .where('window_ts', '>=', from)
        .where('window_ts', '<', to)
        .executeTakeFirstOrThrow();
      const before = await db
        .selectFrom('ledger_batches')
        .select((eb) => eb.fn.max<number | string | null>('seq').as('seq'))
        .where('site', '=', site)
        .where('window_ts', '<', from)
        .executeTakeFirstOrThrow();
      const after = await db
        .selectFrom('ledger_batches')
        .select((eb) => eb.fn.min<number | string | null>('seq').as('seq'))
        .where('site', '=', site)
        .where('window_ts', '>=', to)
        .executeTakeFirstOrThrow();
      const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
      const bounds = [num(stats.minSeq), num(stats.maxSeq), num(before.seq), num(after.seq)].filter((v): v is number => v !== null);

      let missing: Array<{ fromSeq: number; toSeq: number }> = [];
      if (bounds.length >= 2) {
        const lo = Math.min(...bounds);
        const hi = Math.max(...bounds);
        const holes = await sql<{ prev: number | string; seq: number | string }>`
          SELECT prev, seq FROM (
            SELECT seq, lag(seq) OVER (ORDER BY seq) AS prev FROM ledger_batches WHERE site = ${site} AND seq >= ${lo} AND seq <= ${hi}
          ) t WHERE prev IS NOT NULL AND seq - prev > 1 ORDER BY seq`.execute(db);
        missing = mergeRanges(holes.rows.map((h) => ({ fromSeq: Number(h.prev) + 1, toSeq: Number(h.seq) - 1 })));
      }

      const gapRows = await db
        .selectFrom('ledger_gaps')
        .selectAll()
        .where('site', '=', site)
        .where('from_ts', '<', to)
        .where('to_ts', '>=', from)
        .orderBy('from_ts')
        .orderBy('gap_id')
        .execute();
      const gaps = gapRows.map((g) =>
        gapRecordSchema.parse({
          site: g.site,
          what: 'telemetry',
          reason: g.reason,
          seqFrom: num(g.seq_from),
          seqTo: num(g.seq_to),
          fromTs: Number(g.from_ts),
          toTs: Number(g.to_ts),
          batches: Number(g.batches),
          readings: Number(g.readings),
          detectedAt: Number(g.detected_at),
        }),
      );
      return { site, from, to, batches: Number(stats.batches), readings: num(stats.readings) ?? 0, missing, gaps };
    },
  };
}
