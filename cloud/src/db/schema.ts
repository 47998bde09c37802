/**
 * The registry's tables as Kysely sees them. Each area declares its tables in its own file
 * under ./tables and adds them here, next to the migration that creates them.
 *
 * Conventions that keep one set of queries valid on PostgreSQL and SQLite:
 * - timestamps are epoch milliseconds in `bigint` columns (`*_at`), never engine time types;
 * - ids are `text` (UUIDs made by the application), no auto-increment;
 * - JSON documents are `text` holding JSON, parsed in the store;
 * - booleans are `integer` 0/1; money is `bigint` minor units (cents);
 * - every row of tenant data carries `tenant_id`, and every query filters on it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- areas extend this as their tables land
export interface DatabaseSchema {}
