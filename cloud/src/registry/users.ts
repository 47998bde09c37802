import type { AuditWriter } from './audit.js';
import type { Actor, RegistryContext, Trx, Db } from './context.js';
import { notFound, RegistryError, staleVersion } from './errors.js';
import { containsText, decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import { parseSiteScope, serializeSiteScope, type Role } from './roles.js';
import { DEFAULT_PASSWORD_COST, hashPassword, type PasswordCost } from './secrets.js';
import { isUniqueViolation } from './sql-errors.js';
import type { UsersTable } from '../db/tables/tenancy.js';

export interface User {
  readonly id: string;
  readonly tenantId: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly sites: string[] | null;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastLoginAt: number | null;
  readonly version: number;
}

export interface NewUser {
  readonly username: string;
  readonly displayName?: string | undefined;
  readonly password: string;
  readonly role: Role;
  readonly sites?: readonly string[] | null | undefined;
}

export interface UserPatch {
  readonly displayName?: string | undefined;
  readonly role?: Role | undefined;
  readonly sites?: readonly string[] | null | undefined;
  readonly disabled?: boolean | undefined;
  readonly password?: string | undefined;
}

export interface UserStore {
  create(actor: Actor, tenantId: string, input: NewUser, trx?: Trx): Promise<User>;
  get(tenantId: string, id: string): Promise<User | null>;
  list(tenantId: string, filter: { readonly q?: string | undefined; readonly role?: Role | undefined }, page: PageRequest): Promise<Page<User>>;
  update(actor: Actor, tenantId: string, id: string, patch: UserPatch, expectedVersion?: number): Promise<User>;
  /** For login only: the row with its password hash, by login name. */
  findForLogin(username: string): Promise<(User & { readonly passwordHash: string }) | null>;
  recordLogin(id: string): Promise<void>;
  count(): Promise<number>;
}

export const normalizeUsername = (u: string): string => u.trim().toLowerCase();

export const toUser = (r: UsersTable): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  username: r.username,
  displayName: r.display_name,
  role: r.role as Role,
  sites: parseSiteScope(r.site_scope),
  disabled: r.disabled === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at),
  version: r.version,
});

/** Site scopes may only name sites of the same tenant. */
export async function checkSitesExist(db: Db | Trx, tenantId: string, sites: readonly string[] | null | undefined): Promise<void> {
  if (!sites || sites.length === 0) return;
  const unique = [...new Set(sites)];
  const found = await db.selectFrom('sites').select('id').where('tenant_id', '=', tenantId).where('id', 'in', unique).execute();
  if (found.length !== unique.length) {
    const known = new Set(found.map((f) => f.id));
    const missing = unique.filter((s) => !known.has(s));
    throw new RegistryError('DCMMS_REGISTRY_REFERENCE_INVALID', `unknown site(s): ${missing.join(', ')}`, { details: { field: 'sites', missing } });
  }
}

export function createUserStore(ctx: RegistryContext, audit: AuditWriter, passwordCost: PasswordCost = DEFAULT_PASSWORD_COST): UserStore {
  const get = async (tenantId: string, id: string) => {
    const r = await ctx.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  };
  return {
    get,
    async create(actor, tenantId, input, outer) {
      const passwordHash = await hashPassword(input.password, passwordCost);
      const now = ctx.clock.now();
      const row: UsersTable = {
        id: ctx.newId(),
        tenant_id: tenantId,
        username: normalizeUsername(input.username),
        display_name: input.displayName ?? input.username,
        password_hash: passwordHash,
        role: input.role,
        site_scope: serializeSiteScope(input.sites ?? null),
        disabled: 0,
        created_at: now,
        updated_at: now,
        last_login_at: null,
        version: 1,
      };
      const write = async (trx: Trx) => {
        await checkSitesExist(trx, tenantId, input.sites);
        const taken = await trx.selectFrom('users').select('id').where('username', '=', row.username).executeTakeFirst();
        if (taken) throw new RegistryError('DCMMS_REGISTRY_CONFLICT', `the username ${JSON.stringify(row.username)} is taken`, { details: { field: 'username' } });
        await trx.insertInto('users').values(row).execute();
        await audit(trx, actor, { action: 'user.create', entityType: 'user', entityId: row.id, after: toUser(row) });
      };
      try {
        if (outer) await write(outer);
        else await ctx.db.transaction().execute(write);
      } catch (err) {
        if (isUniqueViolation(err)) throw new RegistryError('DCMMS_REGISTRY_CONFLICT', `the username ${JSON.stringify(row.username)} is taken`, { details: { field: 'username' } });
        throw err;
      }
      return toUser(row);
    },
    async list(tenantId, filter, page) {
      let q = ctx.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
      if (filter.q !== undefined) q = q.where((eb) => eb.or([containsText('username', filter.q!), containsText('display_name', filter.q!)]));
      if (filter.role !== undefined) q = q.where('role', '=', filter.role);
      if (page.cursor !== undefined) q = q.where('id', '<', decodeCursor('users', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toUser, (r) => [r.id], 'users');
    },
    async update(actor, tenantId, id, patch, expectedVersion) {
      const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password, passwordCost);
      return ctx.db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('user', id);
        if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('user', id, expectedVersion, before.version);
        if (patch.sites !== undefined) await checkSitesExist(trx, tenantId, patch.sites);
        const after: UsersTable = {
          ...before,
          display_name: patch.displayName ?? before.display_name,
          role: patch.role ?? before.role,
          site_scope: patch.sites === undefined ? before.site_scope : serializeSiteScope(patch.sites),
          disabled: patch.disabled === undefined ? before.disabled : patch.disabled ? 1 : 0,
          password_hash: passwordHash ?? before.password_hash,
          updated_at: ctx.clock.now(),
          version: before.version + 1,
        };
        const res = await trx
          .updateTable('users')
          .set({
            display_name: after.display_name,
            role: after.role,
            site_scope: after.site_scope,
            disabled: after.disabled,
            password_hash: after.password_hash,
            updated_at: after.updated_at,
            version: after.version,
          })
          .where('id', '=', id)
          .where('version', '=', before.version)
          .executeTakeFirst();
        if (res.numUpdatedRows !== 1n) throw staleVersion('user', id, before.version, null);
        // Disabling a user, changing their password or narrowing their access ends their sessions.
        if (after.disabled === 1 || passwordHash !== undefined || after.role !== before.role || after.site_scope !== before.site_scope) {
          await trx.updateTable('refresh_tokens').set({ revoked_at: after.updated_at, revoked_reason: 'user_changed' }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
        }
        const changes = { ...toUser(after), passwordChanged: passwordHash !== undefined };
        await audit(trx, actor, { action: 'user.update', entityType: 'user', entityId: id, before: toUser(before), after: changes });
        return toUser(after);
      });
    },
    async findForLogin(username) {
      const r = await ctx.db.selectFrom('users').selectAll().where('username', '=', normalizeUsername(username)).executeTakeFirst();
      return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
    },
    async recordLogin(id) {
      await ctx.db.updateTable('users').set({ last_login_at: ctx.clock.now() }).where('id', '=', id).execute();
    },
    async count() {
      const r = await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
