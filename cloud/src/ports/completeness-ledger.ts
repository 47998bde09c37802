import type { GapRecord, Stream } from '@dcmms/shared';

export interface ReceivedBatch {
  readonly site: string;
  readonly stream: Stream;
  readonly seq: number;
  readonly readings: number;
  /** Earliest and latest reading timestamps in the batch (null for an empty batch). */
  readonly fromTs: number | null;
  readonly toTs: number | null;
  readonly receivedAt: number;
}

export interface CompletenessReport {
  readonly site: string;
  readonly from: number;
  readonly to: number;
  readonly batches: number;
  readonly readings: number;
  /** Inclusive seq ranges never received between the lowest and highest seq seen. */
  readonly missing: ReadonlyArray<{ readonly fromSeq: number; readonly toSeq: number }>;
  /** Losses the edge reported explicitly. */
  readonly gaps: readonly GapRecord[];
}

/**
 * Per site, the seq ranges received and the gap records reported, so completeness is a
 * query, not a guess. Idempotent: recording the same batch twice changes nothing.
 */
export interface CompletenessLedger {
  recordBatches(batches: readonly ReceivedBatch[]): Promise<void>;
  recordGaps(gaps: readonly GapRecord[]): Promise<void>;
  report(site: string, from: number, to: number): Promise<CompletenessReport>;
}
