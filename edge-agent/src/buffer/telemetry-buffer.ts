import type { Database, Statement } from 'better-sqlite3';
import { decodeTelemetryMessage, encodeGapRecord, encodeTelemetryBatch, isCodecError, readingSchema, silentLogger } from '@dcmms/shared';
import type { Clock, EncodeOptions, GapReason, GapRecord, Logger, Reading, Stream } from '@dcmms/shared';
import { isDiskFullError, sqliteCode } from './sqlite-errors.js';
import { planDrops } from './retention.js';
import type { DropCandidate } from './retention.js';

export interface BufferLimits {
  /** Sum of stored batch bytes, acknowledged or not; the oldest telemetry goes first beyond it. */
  readonly maxBytes: number;
  /** Unacknowledged batches older than this (by commit time) are dropped and reported. */
  readonly maxAgeMs: number;
  readonly maxReadingsPerBatch: number;
  /** An encoded batch above this is split in two (one MQTT message each). */
  readonly maxBatchBytes: number;
  /**
   * Readings held in memory while commits fail (disk full). Beyond it the oldest are shed and
   * reported as a `disk_full` gap, so memory stays bounded however long the disk stays full.
   */
  readonly maxPendingReadings: number;
}

export interface TelemetryBufferOptions {
  readonly db: Database;
  readonly site: string;
  readonly clock: Clock;
  readonly limits: BufferLimits;
  readonly logger?: Logger;
  readonly encode?: EncodeOptions;
  /** The lane a batch is expected to travel on, written into it at commit (a transport detail). */
  readonly streamFor?: () => Stream;
}

export interface StoredBatch {
  readonly seq: number;
  readonly createdAt: number;
  readonly readings: number;
  readonly bytes: number;
  readonly body: Buffer;
}

export interface StoredGap {
  readonly id: number;
  readonly gap: GapRecord;
  readonly body: Buffer;
}

export interface BufferStats {
  /** Rows stored, acknowledged ones included until housekeeping deletes them. */
  readonly batches: number;
  readonly readings: number;
  readonly bytes: number;
  /** Not yet acknowledged by the cloud. */
  readonly backlogBatches: number;
  readonly backlogReadings: number;
  /** Earliest source timestamp of the oldest stored batch, and commit time of the oldest unacknowledged batch. */
  readonly oldestTs: number | null;
  readonly oldestUnackedCreatedAt: number | null;
  readonly lastSeq: number | null;
  readonly ackedSeq: number | null;
  readonly pendingReadings: number;
  readonly unsentGaps: number;
  readonly diskFull: boolean;
  readonly lastError: string | null;
}

export interface BufferCounters {
  readonly committedBatches: number;
  readonly committedReadings: number;
  readonly committedBytes: number;
  readonly droppedReadings: Readonly<Record<GapReason, number>>;
  readonly droppedBatches: number;
  readonly gapRecords: number;
  /** Readings the codec refused (an adapter bug): logged with the reading and counted. */
  readonly rejectedReadings: number;
  readonly commitFailures: number;
}

export type CommitListener = (lastSeq: number) => void;

interface Encoded {
  readonly seq: number;
  readonly fromTs: number;
  readonly toTs: number;
  readonly readings: number;
  readonly body: Buffer;
}

interface MemoryGap {
  fromTs: number;
  toTs: number;
  readings: number;
  detectedAt: number;
}

const NO_DROPS = (): Record<GapReason, number> => ({ buffer_bytes_limit: 0, buffer_age_limit: 0, disk_full: 0, overload: 0 });

/**
 * The telemetry buffer is the log the uplink sends from. Readings accumulate in memory
 * and each commit (the agent calls it at least every 250 ms) encodes them with the wire
 * codec into one row per batch with the next seq of the site's single counter. Sending is
 * reading blobs; replay never re-encodes; retention deletes whole batches from the old end
 * and reports every unacknowledged one it drops as a gap record.
 *
 * All methods are synchronous (better-sqlite3): they run between I/O callbacks and never
 * interleave, which is what keeps seq assignment and the in-memory totals exact.
 */
export class TelemetryBuffer {
  private readonly db: Database;
  private readonly site: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly encodeOptions: EncodeOptions | undefined;
  private readonly streamFor: () => Stream;
  private limits: BufferLimits;

  private pending: Reading[] = [];
  private memGap: MemoryGap | null = null;
  private nextSeq: number;
  private readonly inFlight = new Set<number>();
  private readonly listeners = new Set<CommitListener>();

  // Totals of stored rows, kept in step with every insert and delete.
  private rows = 0;
  private rowReadings = 0;
  private rowBytes = 0;
  private backlogRows = 0;
  private backlogReadings = 0;
  private highestAcked: number | null;
  private unsentGapCount: number;

  private diskFull = false;
  private lastError: string | null = null;
  private readonly drops = NO_DROPS();
  private readonly c = { committedBatches: 0, committedReadings: 0, committedBytes: 0, droppedBatches: 0, gapRecords: 0, rejectedReadings: 0, commitFailures: 0 };

  private readonly stmt: {
    insertBatch: Statement<[number, number, number, number, number, number, Buffer]>;
    setMeta: Statement<[string, number]>;
    insertGap: Statement<[string, number | null, number | null, number, number, number, number, number, Buffer]>;
    ack: Statement<[number], { readings: number; bytes: number }>;
    setCursor: Statement<[string, number]>;
    minUnacked: Statement<[], { seq: number | null }>;
    readUnacked: Statement<[number, number, number], StoredBatch>;
    deleteAcked: Statement<[]>;
    ackedTotals: Statement<[], { rows: number; readings: number | null; bytes: number | null }>;
    oldest: Statement<[number], DropCandidate>;
    deleteSeq: Statement<[number]>;
    unsentGaps: Statement<[number, number], { id: number; body: Buffer }>;
    markGapSent: Statement<[number]>;
    oldestTs: Statement<[], { ts: number | null }>;
    oldestUnacked: Statement<[], { createdAt: number | null }>;
  };

  constructor(options: TelemetryBufferOptions) {
    this.db = options.db;
    this.site = options.site;
    this.clock = options.clock;
    this.log = options.logger ?? silentLogger;
    this.encodeOptions = options.encode;
    this.streamFor = options.streamFor ?? (() => 'live');
    this.limits = Object.freeze({ ...options.limits });
    const db = this.db;
    this.stmt = {
      insertBatch: db.prepare('INSERT INTO batches (seq, created_at, from_ts, to_ts, readings, bytes, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      insertGap: db.prepare(
        'INSERT INTO gaps (reason, seq_from, seq_to, from_ts, to_ts, batches, readings, detected_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      ack: db.prepare('UPDATE batches SET acked = 1 WHERE seq = ? AND acked = 0 RETURNING readings, bytes'),
      setCursor: db.prepare('INSERT INTO cursors (stream, seq) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET seq = max(seq, excluded.seq)'),
      minUnacked: db.prepare('SELECT min(seq) AS seq FROM batches WHERE acked = 0'),
      readUnacked: db.prepare(
        'SELECT seq, created_at AS createdAt, readings, bytes, body FROM batches WHERE acked = 0 AND seq >= ? AND seq < ? ORDER BY seq LIMIT ?',
      ),
      deleteAcked: db.prepare('DELETE FROM batches WHERE acked = 1'),
      ackedTotals: db.prepare('SELECT count(*) AS rows, sum(readings) AS readings, sum(bytes) AS bytes FROM batches WHERE acked = 1'),
      oldest: db.prepare(
        'SELECT seq, created_at AS createdAt, from_ts AS fromTs, to_ts AS toTs, readings, bytes FROM batches WHERE acked = 0 ORDER BY seq LIMIT ?',
      ),
      deleteSeq: db.prepare('DELETE FROM batches WHERE seq = ?'),
      unsentGaps: db.prepare('SELECT id, body FROM gaps WHERE sent = 0 AND id > ? ORDER BY id LIMIT ?'),
      markGapSent: db.prepare('UPDATE gaps SET sent = 1 WHERE id = ?'),
      // The oldest batch by seq (an index seek; min(from_ts) would scan a day of rows per scrape).
      oldestTs: db.prepare('SELECT from_ts AS ts FROM batches ORDER BY seq LIMIT 1'),
      oldestUnacked: db.prepare('SELECT created_at AS createdAt FROM batches WHERE acked = 0 ORDER BY seq LIMIT 1'),
    };

    const totals = db
      .prepare<[], { rows: number; readings: number | null; bytes: number | null; maxSeq: number | null }>(
        'SELECT count(*) AS rows, sum(readings) AS readings, sum(bytes) AS bytes, max(seq) AS maxSeq FROM batches',
      )
      .get()!;
    const backlog = db
      .prepare<[], { rows: number; readings: number | null }>('SELECT count(*) AS rows, sum(readings) AS readings FROM batches WHERE acked = 0')
      .get()!;
    this.rows = totals.rows;
    this.rowReadings = totals.readings ?? 0;
    this.rowBytes = totals.bytes ?? 0;
    this.backlogRows = backlog.rows;
    this.backlogReadings = backlog.readings ?? 0;
    const storedNext = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'next_seq'").get()?.value;
    // The counter survives retention emptying the table; max(seq) + 1 covers a file whose
    // meta row was lost, so a seq is never given twice.
    this.nextSeq = Math.max(storedNext ?? 0, (totals.maxSeq ?? -1) + 1);
    const cursors = db.prepare<[], { seq: number }>('SELECT max(seq) AS seq FROM cursors').get();
    this.highestAcked = cursors?.seq ?? null;
    this.unsentGapCount = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM gaps WHERE sent = 0').get()!.n;
  }

  /** Hands readings to the next commit. Never throws: a reading the codec refuses is logged and counted at commit. */
  append(readings: readonly Reading[]): void {
    for (const r of readings) this.pending.push(r);
    if (this.pending.length > this.limits.maxPendingReadings) this.shedPending();
  }

  /** Replaces the limits (a config change); the data stays. */
  setLimits(limits: BufferLimits): void {
    this.limits = Object.freeze({ ...limits });
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The seq the next committed batch will get: the live lane starts here after a reconnect. */
  peekNextSeq(): number {
    return this.nextSeq;
  }

  /**
   * Encodes what is pending into batches and stores them in one transaction. On a full
   * disk the readings stay pending (bounded by maxPendingReadings) and the error is kept
   * for /readyz and the metrics; the next commit retries.
   */
  commit(): number {
    if (this.pending.length === 0 && this.memGap === null) return 0;
    const now = this.clock.now();
    const readings = this.pending;
    const encoded = this.encodeAll(readings, now);
    const gap = this.memGap;
    const gapRecord = gap === null ? null : this.gapRecord('disk_full', null, null, gap.fromTs, gap.toTs, 0, gap.readings, gap.detectedAt);
    try {
      this.db.transaction(() => {
        if (gapRecord !== null) this.insertGap(gapRecord);
        for (const b of encoded) this.stmt.insertBatch.run(b.seq, now, b.fromTs, b.toTs, b.readings, b.body.length, b.body);
        if (encoded.length > 0) this.stmt.setMeta.run('next_seq', encoded[encoded.length - 1]!.seq + 1);
      })();
    } catch (err) {
      this.commitFailed(err);
      return 0;
    }
    this.pending = [];
    this.memGap = null;
    if (gapRecord !== null) this.unsentGapCount++;
    if (this.diskFull || this.lastError !== null) this.log.info({ event: 'buffer_recovered' }, 'buffer commits succeed again');
    this.diskFull = false;
    this.lastError = null;
    let count = 0;
    for (const b of encoded) {
      count += b.readings;
      this.rows++;
      this.rowReadings += b.readings;
      this.rowBytes += b.body.length;
      this.backlogRows++;
      this.backlogReadings += b.readings;
      this.c.committedBytes += b.body.length;
    }
    this.c.committedBatches += encoded.length;
    this.c.committedReadings += count;
    if (encoded.length > 0) {
      this.nextSeq = encoded[encoded.length - 1]!.seq + 1;
      const last = this.nextSeq - 1;
      for (const listener of this.listeners) listener(last);
    }
    if (this.rowBytes > this.limits.maxBytes) this.enforceRetention();
    return count;
  }

  /** Unacknowledged batches with from <= seq < before, oldest first. */
  readUnacked(from: number, before: number, limit: number): StoredBatch[] {
    return this.stmt.readUnacked.all(from, before, limit);
  }

  /** The uplink marks what it has published and not yet had acknowledged; retention leaves those alone. */
  markInFlight(seq: number): void {
    this.inFlight.add(seq);
  }

  releaseInFlight(seq: number): void {
    this.inFlight.delete(seq);
  }

  /**
   * The cloud acknowledged `seq` (PUBACK). Written at once, so a restart resends only what
   * was never acknowledged; NORMAL sync because a power cut that loses this mark costs one
   * duplicate send, which the sink deduplicates, while FULL would fsync per message.
   */
  ack(seq: number, stream: Stream): boolean {
    this.inFlight.delete(seq);
    if (!this.db.open) return false;
    let row: { readings: number; bytes: number } | undefined;
    try {
      this.db.pragma('synchronous = NORMAL');
      this.db.transaction(() => {
        row = this.stmt.ack.get(seq);
        if (row === undefined) return;
        this.stmt.setCursor.run(stream, seq);
        const low = this.stmt.minUnacked.get()?.seq ?? this.nextSeq;
        if (low > 0) this.stmt.setCursor.run('backfill_low_water', low - 1);
      })();
    } catch (err) {
      // The batch will be sent again after a restart: a duplicate, never a loss.
      this.log.warn({ err, seq }, 'could not record an acknowledgement');
      return false;
    } finally {
      this.restoreFullSync();
    }
    if (row === undefined) return false;
    this.backlogRows--;
    this.backlogReadings -= row.readings;
    if (this.highestAcked === null || seq > this.highestAcked) this.highestAcked = seq;
    return true;
  }

  /** Gap records not yet acknowledged by the cloud, oldest first. */
  unsentGaps(afterId: number, limit: number): StoredGap[] {
    return this.stmt.unsentGaps.all(afterId, limit).map((row) => ({ id: row.id, body: row.body, gap: decodeStoredGap(row.body) }));
  }

  ackGap(id: number): void {
    try {
      if (this.stmt.markGapSent.run(id).changes > 0) this.unsentGapCount--;
    } catch (err) {
      this.log.warn({ err, id }, 'could not record a gap acknowledgement');
    }
  }

  /**
   * Deletes acknowledged batches and enforces the age and byte limits. Called by the agent
   * every second or so and after a commit that went over the byte limit. Returns the gap
   * records it created.
   */
  housekeep(): GapRecord[] {
    const gaps = this.enforceRetention();
    this.releaseFreePages();
    return gaps;
  }

  stats(): BufferStats {
    return {
      batches: this.rows,
      readings: this.rowReadings,
      bytes: this.rowBytes,
      backlogBatches: this.backlogRows,
      backlogReadings: this.backlogReadings,
      oldestTs: this.stmt.oldestTs.get()?.ts ?? null,
      oldestUnackedCreatedAt: this.stmt.oldestUnacked.get()?.createdAt ?? null,
      lastSeq: this.nextSeq > 0 ? this.nextSeq - 1 : null,
      ackedSeq: this.highestAcked,
      pendingReadings: this.pending.length,
      unsentGaps: this.unsentGapCount,
      diskFull: this.diskFull,
      lastError: this.lastError,
    };
  }

  counters(): BufferCounters {
    return { ...this.c, droppedReadings: { ...this.drops } };
  }

  /** Bytes the database file and its WAL occupy (page count times page size). */
  fileBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }

  private encodeAll(readings: Reading[], now: number): Encoded[] {
    const out: Encoded[] = [];
    if (readings.length === 0) return out;
    const stream = this.streamFor();
    const max = this.limits.maxReadingsPerBatch;
    let seq = this.nextSeq;
    for (let start = 0; start < readings.length; start += max) {
      seq = this.encodeRange(readings.slice(start, start + max), seq, stream, now, out);
    }
    return out;
  }

  /** Encodes `chunk` as one batch, or as several if it exceeds maxBatchBytes. Returns the next seq. */
  private encodeRange(chunk: Reading[], seq: number, stream: Stream, now: number, out: Encoded[]): number {
    if (chunk.length === 0) return seq;
    let body: Buffer;
    try {
      body = encodeTelemetryBatch({ site: this.site, stream, seq, createdAt: now, readings: chunk }, this.encodeOptions);
    } catch (err) {
      if (isCodecError(err) && err.code === 'DCMMS_CODEC_TOO_LARGE' && chunk.length > 1) return this.split(chunk, seq, stream, now, out);
      if (isCodecError(err) && err.code === 'DCMMS_CODEC_INVALID_INPUT') {
        const kept = this.withoutInvalid(chunk);
        if (kept.length < chunk.length) return this.encodeRange(kept, seq, stream, now, out);
        // Every reading passes the schema, yet the batch does not encode (a per-batch limit such as distinct tags): halve it.
        if (chunk.length > 1) return this.split(chunk, seq, stream, now, out);
        this.c.rejectedReadings++;
        this.log.error({ event: 'reading_rejected', reading: safeJson(chunk[0]), err }, 'the codec refused a reading; it was not buffered');
        return seq;
      }
      throw err;
    }
    if (body.length > this.limits.maxBatchBytes && chunk.length > 1) return this.split(chunk, seq, stream, now, out);
    let fromTs = Number.POSITIVE_INFINITY;
    let toTs = Number.NEGATIVE_INFINITY;
    for (const r of chunk) {
      if (r.ts < fromTs) fromTs = r.ts;
      if (r.ts > toTs) toTs = r.ts;
    }
    out.push({ seq, fromTs, toTs, readings: chunk.length, body });
    return seq + 1;
  }

  private split(chunk: Reading[], seq: number, stream: Stream, now: number, out: Encoded[]): number {
    const half = Math.ceil(chunk.length / 2);
    const next = this.encodeRange(chunk.slice(0, half), seq, stream, now, out);
    return this.encodeRange(chunk.slice(half), next, stream, now, out);
  }

  /** Removes the readings that break the wire contract, logging each one so it can be inspected. */
  private withoutInvalid(chunk: Reading[]): Reading[] {
    const kept: Reading[] = [];
    for (const r of chunk) {
      const parsed = readingSchema.safeParse(r);
      if (parsed.success) kept.push(r);
      else {
        this.c.rejectedReadings++;
        this.log.error(
          { event: 'reading_rejected', reading: safeJson(r), issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
          'a reading breaks the wire contract and was not buffered',
        );
      }
    }
    return kept;
  }

  private commitFailed(err: unknown): void {
    this.c.commitFailures++;
    if (isDiskFullError(err)) {
      if (!this.diskFull) {
        this.log.error({ event: 'buffer_disk_full', err, pending: this.pending.length }, 'the buffer disk is full: readings are held in memory (bounded) until space returns');
      }
      this.diskFull = true;
      this.lastError = 'disk full';
      // Making room is the only way out: hand back acknowledged rows' pages if we can.
      this.tryFreeSpace();
      return;
    }
    this.storageError(err, 'commit');
  }

  private storageError(err: unknown, what: string): void {
    if (isDiskFullError(err)) {
      this.diskFull = true;
      this.lastError = 'disk full';
      return;
    }
    const message = `${what} failed: ${sqliteCode(err) ?? ''} ${err instanceof Error ? err.message : String(err)}`.trim();
    if (this.lastError !== message) this.log.error({ event: 'buffer_error', err }, message);
    this.lastError = message;
  }

  private tryFreeSpace(): void {
    try {
      this.deleteAcked();
    } catch {
      // Still full: the next commit tries again.
    }
  }

  /** Oldest pending readings go when memory reaches its bound; they become one disk_full gap. */
  private shedPending(): void {
    const excess = this.pending.length - this.limits.maxPendingReadings;
    const shed = this.pending.splice(0, excess);
    const reason: GapReason = this.diskFull ? 'disk_full' : 'overload';
    let fromTs = Number.POSITIVE_INFINITY;
    let toTs = Number.NEGATIVE_INFINITY;
    for (const r of shed) {
      if (r.ts < fromTs) fromTs = r.ts;
      if (r.ts > toTs) toTs = r.ts;
    }
    this.drops[reason] += shed.length;
    const now = this.clock.now();
    if (this.memGap === null) this.memGap = { fromTs, toTs, readings: shed.length, detectedAt: now };
    else {
      this.memGap.fromTs = Math.min(this.memGap.fromTs, fromTs);
      this.memGap.toTs = Math.max(this.memGap.toTs, toTs);
      this.memGap.readings += shed.length;
    }
    this.log.warn({ event: 'readings_shed', reason, readings: shed.length }, 'pending readings exceeded the memory bound; the oldest were dropped and will be reported as a gap');
  }

  /** Acknowledged rows are delivered: deleting them costs nothing and goes first. */
  private deleteAcked(): void {
    try {
      this.db.pragma('synchronous = NORMAL');
      const deleted = this.db.transaction(() => {
        const acked = this.stmt.ackedTotals.get()!;
        if (acked.rows > 0) this.stmt.deleteAcked.run();
        return acked;
      })();
      this.rows -= deleted.rows;
      this.rowReadings -= deleted.readings ?? 0;
      this.rowBytes -= deleted.bytes ?? 0;
    } finally {
      this.restoreFullSync();
    }
  }

  /** Back to FULL after a NORMAL-sync write; never throws (a closed database has nothing to restore). */
  private restoreFullSync(): void {
    try {
      if (this.db.open) this.db.pragma('synchronous = FULL');
    } catch (err) {
      this.log.warn({ err }, 'could not restore synchronous = FULL');
    }
  }

  private enforceRetention(): GapRecord[] {
    const now = this.clock.now();
    const created: GapRecord[] = [];
    try {
      this.deleteAcked();
      for (;;) {
        const candidates = this.stmt.oldest.all(256);
        if (candidates.length === 0) break;
        const plan = planDrops(candidates, {
          now,
          maxAgeMs: this.limits.maxAgeMs,
          excessBytes: this.rowBytes - this.limits.maxBytes,
          inFlight: this.inFlight,
        });
        if (plan.length === 0) break;
        const gaps = plan.map((run) =>
          this.gapRecord(run.reason, run.seqFrom, run.seqTo, run.fromTs, run.toTs, run.batches.length, run.readings, now),
        );
        this.db.transaction(() => {
          for (const [i, run] of plan.entries()) {
            for (const b of run.batches) this.stmt.deleteSeq.run(b.seq);
            this.insertGap(gaps[i]!);
          }
          const low = this.stmt.minUnacked.get()?.seq ?? this.nextSeq;
          if (low > 0) this.stmt.setCursor.run('backfill_low_water', low - 1);
        })();
        for (const run of plan) {
          for (const b of run.batches) {
            this.rows--;
            this.rowReadings -= b.readings;
            this.rowBytes -= b.bytes;
            this.backlogRows--;
            this.backlogReadings -= b.readings;
          }
          this.drops[run.reason] += run.readings;
          this.c.droppedBatches += run.batches.length;
          this.log.warn(
            { event: 'telemetry_dropped', reason: run.reason, seqFrom: run.seqFrom, seqTo: run.seqTo, readings: run.readings },
            'buffer limit reached: the oldest unacknowledged telemetry was dropped and reported as a gap',
          );
        }
        this.unsentGapCount += gaps.length;
        created.push(...gaps);
        // A plan shorter than the page means the limits are met (or only in-flight rows are left).
        if (plan.reduce((n, run) => n + run.batches.length, 0) < candidates.length) break;
      }
    } catch (err) {
      this.storageError(err, 'retention');
    }
    return created;
  }

  private gapRecord(
    reason: GapReason,
    seqFrom: number | null,
    seqTo: number | null,
    fromTs: number,
    toTs: number,
    batches: number,
    readings: number,
    detectedAt: number,
  ): GapRecord {
    return { site: this.site, what: 'telemetry', reason, seqFrom, seqTo, fromTs, toTs, batches, readings, detectedAt };
  }

  private insertGap(gap: GapRecord): void {
    const body = encodeGapRecord(gap, this.encodeOptions);
    this.stmt.insertGap.run(gap.reason, gap.seqFrom, gap.seqTo, gap.fromTs, gap.toTs, gap.batches, gap.readings, gap.detectedAt, body);
    this.c.gapRecords++;
  }

  /** Returns free pages to the file system once a drained backlog left many behind. */
  private releaseFreePages(): void {
    try {
      const free = this.db.pragma('freelist_count', { simple: true }) as number;
      const total = this.db.pragma('page_count', { simple: true }) as number;
      if (free > 256 && free * 4 > total) this.db.pragma(`incremental_vacuum(${free})`);
    } catch (err) {
      this.storageError(err, 'vacuum');
    }
  }
}

function decodeStoredGap(body: Buffer): GapRecord {
  const message = decodeTelemetryMessage(body);
  if (message.kind !== 'gap') throw new Error('a stored gap row does not hold a gap record');
  return message.gap;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
