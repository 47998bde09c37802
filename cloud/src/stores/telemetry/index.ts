export * from './errors.js';
export { rowsOfBatch, storedValue } from './rows.js';
export { createBinaryIlpEncoder, encodeIlpBinary, encodeIlpLines } from './ilp.js';
export { createQuestDbTelemetryStore, telemetryTableDdl, type QuestDbStoreOptions, type QuestDbTelemetryStore } from './questdb.js';
export { createSqliteTelemetryStore } from './sqlite.js';
