export { createSqlCompletenessLedger, gapId, type SqlLedgerOptions } from './sql-ledger.js';
export { mergeRanges } from './holes.js';
