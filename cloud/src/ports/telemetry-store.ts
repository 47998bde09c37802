import type { Quality } from '@dcmms/shared';

/** One reading as stored: the edge's reading plus where it came from and when the cloud got it. */
export interface TelemetryRow {
  readonly site: string;
  readonly asset: string | null;
  readonly tag: string;
  /** Source timestamp, epoch ms. With (site, tag) it is the row's identity: rewriting it is a no-op. */
  readonly ts: number;
  /** Numbers as they are, booleans as 0/1; null for strings, non-finite numbers and missing values. */
  readonly value: number | null;
  /** String values (and nothing else). */
  readonly text: string | null;
  readonly quality: Quality;
  readonly receivedAt: number;
}

export interface RangeQuery {
  readonly site: string;
  readonly tags: readonly string[];
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
  readonly limit: number;
}

export type Aggregate = 'avg' | 'min' | 'max' | 'last' | 'count';

export interface DownsampleQuery extends Omit<RangeQuery, 'limit'> {
  readonly intervalMs: number;
  readonly aggregate: Aggregate;
  readonly limit: number;
}

export interface DownsampledPoint {
  readonly tag: string;
  /** Start of the bucket, epoch ms. */
  readonly ts: number;
  readonly value: number | null;
}

/**
 * The telemetry table behind one port: QuestDB in production (ILP/HTTP writes, PG-wire
 * queries), a SQLite file in the embedded mode. Writes are idempotent on (ts, site, tag).
 */
export interface TelemetryStore {
  /** Resolves only once the store has durably accepted every row (the caller then commits offsets). */
  write(rows: readonly TelemetryRow[]): Promise<void>;
  range(query: RangeQuery): Promise<TelemetryRow[]>;
  downsample(query: DownsampleQuery): Promise<DownsampledPoint[]>;
  /** The newest row per tag of a site (all tags when `tags` is omitted). */
  latest(site: string, tags?: readonly string[]): Promise<TelemetryRow[]>;
  close(): Promise<void>;
}
