export * from './db/index.js';
export type * from './ports/index.js';
