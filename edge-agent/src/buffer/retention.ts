import type { GapReason } from '@dcmms/shared';

export interface DropCandidate {
  readonly seq: number;
  readonly createdAt: number;
  readonly fromTs: number;
  readonly toTs: number;
  readonly readings: number;
  readonly bytes: number;
}

/** Batches dropped for one reason with contiguous seqs: exactly one gap record. */
export interface DropRun {
  readonly reason: Extract<GapReason, 'buffer_age_limit' | 'buffer_bytes_limit'>;
  readonly seqFrom: number;
  readonly seqTo: number;
  readonly fromTs: number;
  readonly toTs: number;
  readonly readings: number;
  readonly batches: readonly DropCandidate[];
}

export interface DropPolicy {
  readonly now: number;
  readonly maxAgeMs: number;
  /** Stored bytes above the limit (<= 0: the byte limit is met). */
  readonly excessBytes: number;
  /** Published and awaiting PUBACK: they may yet be delivered, so they are not dropped. */
  readonly inFlight: ReadonlySet<number>;
}

/**
 * Which of the oldest unacknowledged batches to drop: those past the age limit, then
 * oldest first until the bytes fit. Pure, so the accounting is unit-tested on its own.
 * A run never spans a seq that is not dropped (an acknowledged or in-flight batch between
 * two dropped ones), so a gap record's seq range claims exactly what was lost.
 */
export function planDrops(candidates: readonly DropCandidate[], policy: DropPolicy): DropRun[] {
  const runs: DropRun[] = [];
  let excess = policy.excessBytes;
  let current: { reason: DropRun['reason']; batches: DropCandidate[] } | null = null;
  const close = (): void => {
    if (current === null) return;
    const b = current.batches;
    runs.push({
      reason: current.reason,
      seqFrom: b[0]!.seq,
      seqTo: b[b.length - 1]!.seq,
      fromTs: Math.min(...b.map((x) => x.fromTs)),
      toTs: Math.max(...b.map((x) => x.toTs)),
      readings: b.reduce((n, x) => n + x.readings, 0),
      batches: b,
    });
    current = null;
  };
  const cutoff = policy.now - policy.maxAgeMs;
  for (const c of candidates) {
    if (policy.inFlight.has(c.seq)) {
      close();
      continue;
    }
    let reason: DropRun['reason'];
    if (c.createdAt < cutoff) reason = 'buffer_age_limit';
    else if (excess > 0) reason = 'buffer_bytes_limit';
    else break;
    excess -= c.bytes;
    const last = current?.batches[current.batches.length - 1];
    if (current === null || current.reason !== reason || last === undefined || last.seq + 1 !== c.seq) {
      close();
      current = { reason, batches: [] };
    }
    current.batches.push(c);
  }
  close();
  return runs;
}
