import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { qualitySchema } from '@dcmms/shared';
import type { DownsampleQuery, DownsampledPoint, RangeQuery, TelemetryRow, TelemetryStore } from '../../ports/telemetry-store.js';
import { TelemetryStoreError } from './errors.js';

interface DbRow {
  site: string;
  asset: string | null;
  tag: string;
  ts: number;
  value: number | null;
  value_text: string | null;
  quality: string;
  received_at: number;
}

const toRow = (r: DbRow): TelemetryRow => {
  const q = qualitySchema.safeParse(r.quality);
  return { site: r.site, asset: r.asset, tag: r.tag, ts: r.ts, value: r.value, text: r.value_text, quality: q.success ? q.data : 'bad', receivedAt: r.received_at };
};

const AGGREGATE = { avg: 'avg(value)', min: 'min(value)', max: 'max(value)', count: 'count(*)' } as const;

/**
 * The embedded mode's telemetry table: one SQLite file, the same identity as QuestDB's
 * (site, tag, ts) with the same upsert semantics, so a replayed batch changes nothing.
 */
export function createSqliteTelemetryStore(file: string): TelemetryStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS telemetry (
    site TEXT NOT NULL, tag TEXT NOT NULL, ts INTEGER NOT NULL,
    asset TEXT, value REAL, value_text TEXT, quality TEXT NOT NULL, received_at INTEGER NOT NULL,
    PRIMARY KEY (site, tag, ts)
  ) WITHOUT ROWID`);
  db.exec('CREATE INDEX IF NOT EXISTS telemetry_site_ts ON telemetry (site, ts)');

  const upsert = db.prepare(`INSERT INTO telemetry (site, tag, ts, asset, value, value_text, quality, received_at)
    VALUES (@site, @tag, @ts, @asset, @value, @text, @quality, @receivedAt)
    ON CONFLICT (site, tag, ts) DO UPDATE SET asset = excluded.asset, value = excluded.value, value_text = excluded.value_text,
      quality = excluded.quality, received_at = excluded.received_at`);
  const writeAll = db.transaction((rows: readonly TelemetryRow[]) => {
    for (const row of rows) upsert.run(row);
  });
  const inList = (tags: readonly string[] | undefined) => (tags && tags.length > 0 ? ` AND tag IN (${tags.map(() => '?').join(', ')})` : '');
  const run = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new TelemetryStoreError(what === 'write' ? 'DCMMS_TELEMETRY_STORE_UNAVAILABLE' : 'DCMMS_TELEMETRY_QUERY_FAILED', `SQLite telemetry ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  };

  return {
    async write(rows) {
      run('write', () => writeAll(rows));
    },
    async range(q: RangeQuery) {
      return run('range', () =>
        (
          db
            .prepare(`SELECT * FROM telemetry WHERE site = ? AND ts >= ? AND ts < ?${inList(q.tags)} ORDER BY ts, tag LIMIT ?`)
            .all(q.site, q.from, q.to, ...q.tags, q.limit) as DbRow[]
        ).map(toRow),
      );
    },
    async downsample(q: DownsampleQuery): Promise<DownsampledPoint[]> {
      if (!Number.isInteger(q.intervalMs) || q.intervalMs <= 0) throw new TelemetryStoreError('DCMMS_TELEMETRY_QUERY_FAILED', `intervalMs must be a positive integer, got ${q.intervalMs}`);
      // For `last`, SQLite takes the bare column `value` from the row that holds max(ts).
      const agg = q.aggregate === 'last' ? 'value AS v, max(ts)' : `${AGGREGATE[q.aggregate]} AS v`;
      return run('downsample', () =>
        (
          db
            .prepare(
              `SELECT tag, (ts / CAST(@i AS INTEGER)) * CAST(@i AS INTEGER) AS bucket, ${agg} FROM telemetry
               WHERE site = @site AND ts >= @from AND ts < @to${q.tags.length ? ` AND tag IN (${q.tags.map((_, k) => `@t${k}`).join(', ')})` : ''}
               GROUP BY tag, bucket ORDER BY bucket, tag LIMIT @limit`,
            )
            .all({ i: q.intervalMs, site: q.site, from: q.from, to: q.to, limit: q.limit, ...Object.fromEntries(q.tags.map((t, k) => [`t${k}`, t])) }) as {
            tag: string;
            bucket: number;
            v: number | null;
          }[]
        ).map((r) => ({ tag: r.tag, ts: r.bucket, value: r.v })),
      );
    },
    async latest(site, tags) {
      return run('latest', () =>
        (
          db
            .prepare(
              `SELECT t.* FROM telemetry t JOIN (SELECT tag, max(ts) AS ts FROM telemetry WHERE site = ?${inList(tags)} GROUP BY tag) m
               ON t.site = ? AND t.tag = m.tag AND t.ts = m.ts ORDER BY t.tag`,
            )
            .all(site, ...(tags ?? []), site) as DbRow[]
        ).map(toRow),
      );
    },
    async close() {
      db.close();
    },
  };
}
