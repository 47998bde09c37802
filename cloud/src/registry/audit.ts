import type { Actor, Db, RegistryContext, Scope, Trx } from './context.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './page.js';

export interface AuditEntry {
  readonly id: string;
  readonly at: number;
  readonly actor: { readonly type: string; readonly id: string; readonly name: string };
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly siteId: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
}

export interface AuditRecord {
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly siteId?: string | null;
  /** Snapshots as the API shows them; callers leave secrets out. */
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditFilter {
  readonly entityType?: string | undefined;
  readonly entityId?: string | undefined;
  readonly actorId?: string | undefined;
  readonly action?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** Writes an audit row inside the caller's transaction, so a change and its record commit together. */
export type AuditWriter = (trx: Trx | Db, actor: Actor, record: AuditRecord) => Promise<void>;

export function createAuditWriter(ctx: RegistryContext): AuditWriter {
  return async (trx, actor, record) => {
    await trx
      .insertInto('audit_log')
      .values({
        id: ctx.newId(),
        tenant_id: actor.tenantId,
        at: ctx.clock.now(),
        actor_type: actor.type,
        actor_id: actor.id,
        actor_name: actor.name,
        action: record.action,
        entity_type: record.entityType,
        entity_id: record.entityId,
        site_id: record.siteId ?? null,
        before: record.before === undefined ? null : JSON.stringify(record.before),
        after: record.after === undefined ? null : JSON.stringify(record.after),
        request_id: actor.requestId ?? null,
      })
      .execute();
  };
}

export interface AuditStore {
  list(scope: Scope, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>>;
}

export function createAuditStore(ctx: RegistryContext): AuditStore {
  return {
    async list(scope, filter, page) {
      let q = ctx.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', scope.tenantId);
      if (filter.entityType !== undefined) q = q.where('entity_type', '=', filter.entityType);
      if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
      if (filter.actorId !== undefined) q = q.where('actor_id', '=', filter.actorId);
      if (filter.action !== undefined) q = q.where('action', '=', filter.action);
      if (filter.from !== undefined) q = q.where('at', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('at', '<', filter.to);
      if (page.cursor !== undefined) {
        const [id] = decodeCursor('audit', page.cursor, 'id');
        q = q.where('id', '<', id);
      }
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(
        rows,
        page.limit,
        (r) => ({
          id: r.id,
          at: Number(r.at),
          actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          siteId: r.site_id,
          before: r.before === null ? null : (JSON.parse(r.before) as unknown),
          after: r.after === null ? null : (JSON.parse(r.after) as unknown),
          requestId: r.request_id,
        }),
        (r) => [r.id],
        'audit',
      );
    },
  };
}
