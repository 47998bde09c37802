import type { AuditWriter } from './audit.js';
import type { Actor, RegistryContext } from './context.js';
import { notFound } from './errors.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import type { TenantsTable } from '../db/tables/tenancy.js';

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly root: boolean;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TenantStore {
  create(actor: Actor, input: { readonly id?: string; readonly name: string; readonly root?: boolean }): Promise<Tenant>;
  get(id: string): Promise<Tenant | null>;
  list(page: PageRequest): Promise<Page<Tenant>>;
  update(actor: Actor, id: string, patch: { readonly name?: string | undefined; readonly disabled?: boolean | undefined }): Promise<Tenant>;
  count(): Promise<number>;
}

export const toTenant = (r: TenantsTable): Tenant => ({
  id: r.id,
  name: r.name,
  root: r.is_root === 1,
  disabled: r.disabled === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function createTenantStore(ctx: RegistryContext, audit: AuditWriter): TenantStore {
  const get = async (id: string) => {
    const r = await ctx.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toTenant(r) : null;
  };
  return {
    get,
    async create(actor, input) {
      const now = ctx.clock.now();
      const row: TenantsTable = { id: input.id ?? ctx.newId(), name: input.name, is_root: input.root ? 1 : 0, disabled: 0, created_at: now, updated_at: now };
      await ctx.db.transaction().execute(async (trx) => {
        await trx.insertInto('tenants').values(row).execute();
        // The tenant's own audit trail starts with its creation; the operator's records it too.
        const record = { action: 'tenant.create', entityType: 'tenant', entityId: row.id, after: toTenant(row) };
        await audit(trx, actor, record);
        if (actor.tenantId !== row.id) await audit(trx, { ...actor, tenantId: row.id }, record);
      });
      return toTenant(row);
    },
    async list(page) {
      let q = ctx.db.selectFrom('tenants').selectAll();
      if (page.cursor !== undefined) q = q.where('id', '<', decodeCursor('tenants', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toTenant, (r) => [r.id], 'tenants');
    },
    async update(actor, id, patch) {
      return ctx.db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('tenant', id);
        const after: TenantsTable = {
          ...before,
          name: patch.name ?? before.name,
          disabled: patch.disabled === undefined ? before.disabled : patch.disabled ? 1 : 0,
          updated_at: ctx.clock.now(),
        };
        await trx.updateTable('tenants').set({ name: after.name, disabled: after.disabled, updated_at: after.updated_at }).where('id', '=', id).execute();
        await audit(trx, actor, { action: 'tenant.update', entityType: 'tenant', entityId: id, before: toTenant(before), after: toTenant(after) });
        return toTenant(after);
      });
    },
    async count() {
      const r = await ctx.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
