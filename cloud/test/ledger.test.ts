import { describe, expect, it } from 'vitest';
import { mergeRanges } from '../src/ledger/index.js';
import { ledgerSuite } from './support/ledger-suite.js';
import { sqliteTestRegistry } from './support/registry-db.js';

describe('mergeRanges', () => {
  it('merges overlapping and adjacent ranges, keeps separate ones', () => {
    expect(mergeRanges([{ fromSeq: 5, toSeq: 6 }, { fromSeq: 1, toSeq: 2 }, { fromSeq: 3, toSeq: 3 }, { fromSeq: 6, toSeq: 5 + 1 }, { fromSeq: 9, toSeq: 9 }])).toEqual([
      { fromSeq: 1, toSeq: 3 },
      { fromSeq: 5, toSeq: 6 },
      { fromSeq: 9, toSeq: 9 },
    ]);
  });
});

ledgerSuite('SQLite (the engines suite runs the same on PostgreSQL)', sqliteTestRegistry);
