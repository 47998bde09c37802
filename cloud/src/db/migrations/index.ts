import type { Migration } from 'kysely';
import * as m0001 from './0001_registry.js';
import * as m0100 from './0100_ledger.js';

/**
 * Every migration, in the order they run. Names sort in the same order (Kysely checks), so
 * prefix them with a number. A migration, once landed, is never edited: add another.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_registry': m0001,
  '0100_ledger': m0100,
};
