import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Clock, Logger } from '@dcmms/shared';
import type { DatabaseSchema, Dialect } from '../db/index.js';
import type { ChangeBus } from './changes.js';
import { notFound } from './errors.js';

export type Db = Kysely<DatabaseSchema>;
export type Trx = Transaction<DatabaseSchema>;

/** What every store is built from. */
export interface RegistryContext {
  readonly db: Db;
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly changes: ChangeBus;
  readonly log: Logger;
}

/** Who reads: a tenant, and the sites of it the caller may see (null: all of them). */
export interface Scope {
  readonly tenantId: string;
  readonly sites: readonly string[] | null;
}

/** Who changes: recorded in the audit log and in histories. */
export interface Actor {
  readonly type: 'user' | 'api_key' | 'system' | 'edge';
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  readonly requestId?: string | undefined;
}

export const systemActor = (tenantId: string, name = 'system'): Actor => ({ type: 'system', id: name, name, tenantId });

export function siteVisible(scope: Scope, siteId: string): boolean {
  return scope.sites === null || scope.sites.includes(siteId);
}

/** `column in (scope's sites)`, or a false predicate for an empty scope (`in ()` is not SQL). */
export function inSites(column: string, sites: readonly string[]): Expression<SqlBool> {
  if (sites.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(sites)})`;
}

/** The site must exist in the tenant and be inside the scope; otherwise it is "not found". */
export async function requireSite(db: Db | Trx, scope: Scope, siteId: string): Promise<void> {
  const site = siteVisible(scope, siteId)
    ? await db.selectFrom('sites').select('id').where('tenant_id', '=', scope.tenantId).where('id', '=', siteId).executeTakeFirst()
    : undefined;
  if (!site) throw notFound('site', siteId);
}
