import type { AlertTables } from './tables/alerts.js';
import type { AssetTables } from './tables/assets.js';
import type { SiteTables } from './tables/sites.js';
import type { TenancyTables } from './tables/tenancy.js';
import type { WorkOrderTables } from './tables/workorders.js';
import type { LedgerTables } from './tables/ledger.js';

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
export interface DatabaseSchema extends TenancyTables, SiteTables, AssetTables, AlertTables, WorkOrderTables, LedgerTables {}
