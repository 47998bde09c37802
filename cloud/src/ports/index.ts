export type * from './site-credentials.js';
export type * from './site-directory.js';
export type * from './telemetry-store.js';
export type * from './completeness-ledger.js';
export type * from './edge-events.js';
export type * from './downlink.js';
