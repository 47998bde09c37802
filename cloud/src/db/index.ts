export * from './connect.js';
export * from './migrate.js';
export type { DatabaseSchema } from './schema.js';
