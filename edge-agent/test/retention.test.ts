import { describe, expect, it } from 'vitest';
import { planDrops } from '../src/index.js';
import type { DropCandidate } from '../src/index.js';

const batch = (seq: number, createdAt: number, bytes = 100, readings = 10): DropCandidate => ({
  seq,
  createdAt,
  fromTs: createdAt - 1000 + seq,
  toTs: createdAt - 500 + seq,
  readings,
  bytes,
});

describe('planDrops', () => {
  it('drops nothing when the limits are met', () => {
    expect(planDrops([batch(0, 1000)], { now: 2000, maxAgeMs: 10_000, excessBytes: 0, inFlight: new Set() })).toEqual([]);
  });

  it('drops past the age limit first, then oldest until the bytes fit, one run per reason', () => {
    const runs = planDrops([batch(0, 0), batch(1, 10), batch(2, 5000), batch(3, 5001), batch(4, 5002)], {
      now: 5100,
      maxAgeMs: 1000,
      excessBytes: 250,
      inFlight: new Set(),
    });
    expect(runs.map((r) => [r.reason, r.seqFrom, r.seqTo, r.readings])).toEqual([
      ['buffer_age_limit', 0, 1, 20],
      // The aged batches' 200 bytes count toward the excess: one more batch makes it fit.
      ['buffer_bytes_limit', 2, 2, 10],
    ]);
    expect(runs[0]).toMatchObject({ fromTs: -1000, toTs: -489 });
  });

  it('never spans a seq it does not drop', () => {
    const runs = planDrops([batch(0, 0), batch(1, 0), batch(3, 0), batch(4, 0), batch(5, 0)], {
      now: 10_000,
      maxAgeMs: 1000,
      excessBytes: 0,
      inFlight: new Set([4]),
    });
    expect(runs.map((r) => [r.seqFrom, r.seqTo, r.batches.length])).toEqual([
      [0, 1, 2],
      [3, 3, 1],
      [5, 5, 1],
    ]);
  });
});
