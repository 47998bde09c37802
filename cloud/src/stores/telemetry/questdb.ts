import { SenderOptions, createTransport, type SenderTransport } from '@questdb/nodejs-client';
import pg from 'pg';
import { describeError, qualitySchema, silentLogger, type Logger, type Quality } from '@dcmms/shared';
import type { DownsampleQuery, DownsampledPoint, RangeQuery, TelemetryRow, TelemetryStore } from '../../ports/telemetry-store.js';
import { TelemetryStoreError, checkTableName } from './errors.js';
import { createBinaryIlpEncoder, encodeIlpLines } from './ilp.js';

export interface QuestDbStoreOptions {
  /** `http://host:9000` (ILP over HTTP and /exec). */
  readonly httpUrl: string;
  /** `postgres://admin:quest@host:8812/qdb` (queries over PG wire). */
  readonly pgUrl: string;
  readonly table?: string;
  readonly logger?: Logger;
  /** Rows per ILP request; a flush of more rows goes as several requests. */
  readonly maxRowsPerRequest?: number;
  readonly requestTimeoutMs?: number;
}

const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;
// QuestDB sends timestamps without a zone; they are UTC. Parsed to epoch ms (microseconds dropped).
const parseUtc = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === PG_TIMESTAMP || oid === PG_TIMESTAMPTZ ? parseUtc : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** ARCHITECTURE.md's table, plus `value_text` for string readings. Idempotent. */
export function telemetryTableDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS "${checkTableName(table)}" (
  ts TIMESTAMP, site SYMBOL, asset SYMBOL, tag SYMBOL,
  value DOUBLE, quality SYMBOL, received_at TIMESTAMP, value_text VARCHAR
) TIMESTAMP(ts) PARTITION BY DAY WAL
  DEDUP UPSERT KEYS(ts, site, tag)`;
}

const SQL_AGGREGATE = { avg: 'avg(value)', min: 'min(value)', max: 'max(value)', last: 'last(value)', count: 'count()' } as const;
// QuestDB binds epoch microseconds as a long and casts them: no time-zone guessing on either side.
const micros = (ms: number) => String(Math.trunc(ms) * 1000);

interface PgRow {
  ts: number;
  site: string;
  asset: string | null;
  tag: string;
  value: number | null;
  value_text: string | null;
  quality: string;
  received_at: number;
}

function toRow(r: PgRow): TelemetryRow {
  const q = qualitySchema.safeParse(r.quality);
  return {
    site: r.site,
    asset: r.asset,
    tag: r.tag,
    ts: r.ts,
    value: r.value === null || Number.isNaN(r.value) ? null : r.value,
    text: r.value_text,
    quality: (q.success ? q.data : 'bad') satisfies Quality,
    receivedAt: r.received_at,
  };
}

export interface QuestDbTelemetryStore extends TelemetryStore {
  readonly table: string;
  /** Resolves once every row accepted so far is visible to queries (the WAL has been applied). */
  waitApplied(timeoutMs?: number): Promise<void>;
  /** Raw SQL over PG wire, for tests, benches and operators' tools. */
  query<T extends object>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

/**
 * The production store: rows go in over ILP/HTTP in large requests, queries go over PG wire.
 * `write` tries once and throws TelemetryStoreError('...UNAVAILABLE') on any failure: the
 * ingest worker owns the retry (the client drops a failed buffer, so it rebuilds from rows).
 */
export async function createQuestDbTelemetryStore(options: QuestDbStoreOptions): Promise<QuestDbTelemetryStore> {
  const table = checkTableName(options.table ?? 'telemetry');
  const log = (options.logger ?? silentLogger).child({ component: 'questdb-store' });
  const http = new URL(options.httpUrl);
  const maxRows = options.maxRowsPerRequest ?? 100_000;
  // Also the budget of the client's own retries: one write() gives up after it, the worker retries later.
  const timeout = options.requestTimeoutMs ?? 10_000;
  const senderOptions = await SenderOptions.fromConfig(
    `${http.protocol.replace(':', '')}::addr=${http.host};auto_flush=off;request_timeout=${timeout};retry_timeout=${timeout};init_buf_size=${4 * 1024 * 1024};max_buf_size=${512 * 1024 * 1024}`,
    { log: (level, message) => (level === 'error' || level === 'warn' ? log.warn({ questdb: String(message) }, 'ILP client') : undefined) },
  );
  const transport: SenderTransport = createTransport(senderOptions);
  // Protocol 2 (binary doubles) when the server speaks it, as the client negotiated.
  const binary = createBinaryIlpEncoder(table);
  const encode = senderOptions.protocol_version === '1' ? (rows: readonly TelemetryRow[]) => encodeIlpLines(table, rows) : binary;
  // One write at a time: the binary encoder reuses its buffer, and QuestDB gets whole flushes in order.
  let writing: Promise<void> = Promise.resolve();
  const pool = new pg.Pool({ connectionString: options.pgUrl, max: 4, types: pgTypes, idleTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);

  const query = async <T extends object>(text: string, params: readonly unknown[] = []): Promise<T[]> => {
    try {
      return (await pool.query(text, params as unknown[])).rows as T[];
    } catch (err) {
      throw new TelemetryStoreError('DCMMS_TELEMETRY_QUERY_FAILED', `QuestDB query failed: ${describeError(err)}`, { cause: err });
    }
  };
  await query(telemetryTableDdl(table));

  const tagFilter = (tags: readonly string[] | undefined, first: number) =>
    tags && tags.length > 0 ? { sql: ` AND tag IN (${tags.map((_, i) => `$${first + i}`).join(', ')})`, params: [...tags] } : { sql: '', params: [] as string[] };

  return {
    table,
    write(rows) {
      const run = async () => {
        for (let start = 0; start < rows.length; start += maxRows) {
          const lines = encode(rows.length <= maxRows ? rows : rows.slice(start, start + maxRows));
          try {
            await transport.send(lines);
          } catch (err) {
            throw new TelemetryStoreError('DCMMS_TELEMETRY_STORE_UNAVAILABLE', `QuestDB did not accept ${rows.length} rows: ${describeError(err)}`, { cause: err });
          }
        }
      };
      const result = writing.then(run, run);
      writing = result.catch(() => undefined);
      return result;
    },

    async range(q: RangeQuery) {
      const tags = tagFilter(q.tags, 5);
      const rows = await query<PgRow>(
        `SELECT ts, site, asset, tag, value, value_text, quality, received_at FROM "${table}"
         WHERE site = $1 AND ts >= cast($2 as long)::timestamp AND ts < cast($3 as long)::timestamp${tags.sql}
         ORDER BY ts LIMIT $4`,
        [q.site, micros(q.from), micros(q.to), q.limit, ...tags.params],
      );
      return rows.map(toRow);
    },

    async downsample(q: DownsampleQuery): Promise<DownsampledPoint[]> {
      if (!Number.isInteger(q.intervalMs) || q.intervalMs <= 0) throw new TelemetryStoreError('DCMMS_TELEMETRY_QUERY_FAILED', `intervalMs must be a positive integer, got ${q.intervalMs}`);
      const tags = tagFilter(q.tags, 5);
      const rows = await query<{ tag: string; ts: number; v: number | null }>(
        `SELECT tag, ts, ${SQL_AGGREGATE[q.aggregate]} v FROM "${table}"
         WHERE site = $1 AND ts >= cast($2 as long)::timestamp AND ts < cast($3 as long)::timestamp${tags.sql}
         SAMPLE BY ${q.intervalMs}T ALIGN TO CALENDAR
         ORDER BY ts, tag LIMIT $4`,
        [q.site, micros(q.from), micros(q.to), q.limit, ...tags.params],
      );
      return rows.map((r) => ({ tag: r.tag, ts: r.ts, value: r.v === null || Number.isNaN(r.v) ? null : Number(r.v) }));
    },

    async latest(site, tags) {
      const filter = tagFilter(tags, 2);
      const rows = await query<PgRow>(
        `SELECT ts, site, asset, tag, value, value_text, quality, received_at FROM "${table}"
         WHERE site = $1${filter.sql} LATEST ON ts PARTITION BY tag`,
        [site, ...filter.params],
      );
      return rows.map(toRow).sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    },

    async waitApplied(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await query<{ writerTxn: string; sequencerTxn: string; suspended: boolean }>(
          `SELECT "writerTxn", "sequencerTxn", suspended FROM wal_tables() WHERE name = $1`,
          [table],
        );
        const row = r[0];
        if (row?.suspended) throw new TelemetryStoreError('DCMMS_TELEMETRY_QUERY_FAILED', `WAL of table ${table} is suspended`);
        if (!row || Number(row.writerTxn) >= Number(row.sequencerTxn)) return;
        if (Date.now() > deadline) throw new TelemetryStoreError('DCMMS_TELEMETRY_QUERY_FAILED', `WAL of ${table} not applied within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },

    query,

    async close() {
      await Promise.allSettled([transport.close(), pool.end()]);
    },
  };
}
