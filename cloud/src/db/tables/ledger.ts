/** The completeness ledger's tables (migration 0100_ledger). No foreign keys: sites live in the registry. */
export interface LedgerBatchesTable {
  site: string;
  seq: number;
  stream: string;
  readings: number;
  from_ts: number | null;
  to_ts: number | null;
  /** from_ts, or received_at for an empty batch: where the batch sits on the time axis. */
  window_ts: number;
  received_at: number;
}

export interface LedgerGapsTable {
  site: string;
  /** Digest of the record's content: a gap reported twice is one row. */
  gap_id: string;
  reason: string;
  seq_from: number | null;
  seq_to: number | null;
  from_ts: number;
  to_ts: number;
  batches: number;
  readings: number;
  detected_at: number;
  recorded_at: number;
}

export interface LedgerTables {
  ledger_batches: LedgerBatchesTable;
  ledger_gaps: LedgerGapsTable;
}
