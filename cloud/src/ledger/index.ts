export { createSqlCompletenessLedger, gapId, type SqlCompletenessLedger, type SqlLedgerOptions } from './sql-ledger.js';
export { mergeRanges } from './holes.js';
