import type { Command, CommandResult } from '@dcmms/shared';
import type { AuditWriter } from './audit.js';
import { requireSite as requireSiteIn, type Actor, type RegistryContext, type Scope } from './context.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import { storable } from './sql-errors.js';
import type { CommandsTable } from '../db/tables/sites.js';

export type CommandStatus = 'sent' | CommandResult['status'];

export interface CommandView {
  readonly id: string;
  readonly siteId: string;
  readonly action: Command['action'];
  readonly actor: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly status: CommandStatus;
  readonly reason: string | null;
  readonly resultAt: number | null;
}

export interface CommandStore {
  create(actor: Actor, scope: Scope, siteId: string, action: Command['action'], ttlMs: number): Promise<{ readonly view: CommandView; readonly command: Command }>;
  list(scope: Scope, siteId: string, page: PageRequest): Promise<Page<CommandView>>;
  get(scope: Scope, siteId: string, id: string): Promise<CommandView | null>;
  /** EdgeResultSink: the first result wins; repeats change nothing. */
  applyResult(result: CommandResult): Promise<boolean>;
}

const toView = (r: CommandsTable): CommandView => ({
  id: r.id,
  siteId: r.site_id,
  action: JSON.parse(r.action) as Command['action'],
  actor: r.actor,
  issuedAt: Number(r.issued_at),
  expiresAt: Number(r.expires_at),
  status: r.status as CommandStatus,
  reason: r.reason,
  resultAt: r.result_at === null ? null : Number(r.result_at),
});

export function createCommandStore(ctx: RegistryContext, audit: AuditWriter): CommandStore {
  const requireSite = (scope: Scope, siteId: string) => requireSiteIn(ctx.db, scope, siteId);
  return {
    async create(actor, scope, siteId, action, ttlMs) {
      await requireSite(scope, siteId);
      const now = ctx.clock.now();
      // Commands are UUIDv7 like every id here; the wire contract only asks for a UUID.
      const row: CommandsTable = { id: ctx.newId(), tenant_id: scope.tenantId, site_id: siteId, action: JSON.stringify(action), actor: actor.name, issued_at: now, expires_at: now + ttlMs, status: 'sent', reason: null, result_at: null };
      await ctx.db.transaction().execute(async (trx) => {
        await trx.insertInto('commands').values(row).execute();
        await audit(trx, actor, { action: 'site.command', entityType: 'command', entityId: row.id, siteId, after: toView(row) });
      });
      return { view: toView(row), command: { id: row.id, site: siteId, issuedAt: now, expiresAt: row.expires_at, actor: actor.name, action } };
    },
    async list(scope, siteId, page) {
      await requireSite(scope, siteId);
      let q = ctx.db.selectFrom('commands').selectAll().where('site_id', '=', siteId);
      if (page.cursor !== undefined) q = q.where('id', '<', decodeCursor('commands', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toView, (r) => [r.id], 'commands');
    },
    async get(scope, siteId, id) {
      await requireSite(scope, siteId);
      const r = await ctx.db.selectFrom('commands').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
      return r ? toView(r) : null;
    },
    async applyResult(result) {
      const res = await ctx.db
        .updateTable('commands')
        .set({ status: result.status, reason: storable(result.reason) ?? null, result_at: result.ts })
        .where('id', '=', result.commandId)
        .where('site_id', '=', result.site)
        .where('status', '=', 'sent')
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },
  };
}
