import type { AuditWriter } from './audit.js';
import type { Actor, RegistryContext } from './context.js';
import { notFound } from './errors.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import { parseSiteScope, serializeSiteScope, type Role } from './roles.js';
import { newSecret, sameHash, sha256 } from './secrets.js';
import { checkSitesExist } from './users.js';
import { UUID_PATTERN } from './ids.js';
import type { ApiKeysTable } from '../db/tables/tenancy.js';

export interface ApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
  readonly sites: string[] | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface ApiKeyIdentity {
  readonly key: ApiKey;
  readonly tenantRoot: boolean;
}

export interface ApiKeyStore {
  /** The key itself is returned here only: it is stored hashed. */
  create(actor: Actor, tenantId: string, input: { readonly name: string; readonly role: Role; readonly sites?: readonly string[] | null | undefined; readonly expiresAt?: number | null | undefined }): Promise<{ readonly apiKey: ApiKey; readonly key: string }>;
  list(tenantId: string, page: PageRequest): Promise<Page<ApiKey>>;
  get(tenantId: string, id: string): Promise<ApiKey | null>;
  revoke(actor: Actor, tenantId: string, id: string): Promise<ApiKey>;
  /** The key's identity when `presented` is a current key, else null. */
  authenticate(presented: string): Promise<ApiKeyIdentity | null>;
}

const toApiKey = (r: ApiKeysTable): ApiKey => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  role: r.role as Role,
  sites: parseSiteScope(r.site_scope),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

/** `dcmms_<key id>_<secret>`: the id finds the row, the secret's hash must match. */
export const API_KEY_PREFIX = 'dcmms_';
const LAST_USED_RESOLUTION_MS = 60_000;

export function createApiKeyStore(ctx: RegistryContext, audit: AuditWriter): ApiKeyStore {
  // Recording every use would make each read a write; once a minute per key is enough to see use.
  const lastRecorded = new Map<string, number>();
  return {
    async create(actor, tenantId, input) {
      const id = ctx.newId();
      const secret = newSecret();
      const now = ctx.clock.now();
      const row: ApiKeysTable = {
        id,
        tenant_id: tenantId,
        name: input.name,
        secret_hash: sha256(secret),
        role: input.role,
        site_scope: serializeSiteScope(input.sites ?? null),
        created_by: actor.id,
        created_at: now,
        expires_at: input.expiresAt ?? null,
        revoked_at: null,
        last_used_at: null,
      };
      await ctx.db.transaction().execute(async (trx) => {
        await checkSitesExist(trx, tenantId, input.sites);
        await trx.insertInto('api_keys').values(row).execute();
        await audit(trx, actor, { action: 'api_key.create', entityType: 'api_key', entityId: id, after: toApiKey(row) });
      });
      return { apiKey: toApiKey(row), key: `${API_KEY_PREFIX}${id}_${secret}` };
    },
    async list(tenantId, page) {
      let q = ctx.db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId);
      if (page.cursor !== undefined) q = q.where('id', '<', decodeCursor('api_keys', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toApiKey, (r) => [r.id], 'api_keys');
    },
    async get(tenantId, id) {
      const r = await ctx.db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r ? toApiKey(r) : null;
    },
    async revoke(actor, tenantId, id) {
      return ctx.db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('API key', id);
        const after = { ...before, revoked_at: before.revoked_at ?? ctx.clock.now() };
        await trx.updateTable('api_keys').set({ revoked_at: after.revoked_at }).where('id', '=', id).execute();
        await audit(trx, actor, { action: 'api_key.revoke', entityType: 'api_key', entityId: id, before: toApiKey(before), after: toApiKey(after) });
        return toApiKey(after);
      });
    },
    async authenticate(presented) {
      if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return null;
      const rest = presented.slice(API_KEY_PREFIX.length);
      const id = rest.slice(0, 36);
      const secret = rest.slice(37);
      if (!UUID_PATTERN.test(id) || rest[36] !== '_' || secret.length === 0) return null;
      const r = await ctx.db
        .selectFrom('api_keys')
        .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
        .selectAll('api_keys')
        .select(['tenants.is_root as tenant_root', 'tenants.disabled as tenant_disabled'])
        .where('api_keys.id', '=', id)
        .executeTakeFirst();
      if (!r || !sameHash(r.secret_hash, sha256(secret))) return null;
      const now = ctx.clock.now();
      if (r.revoked_at !== null || (r.expires_at !== null && Number(r.expires_at) <= now) || r.tenant_disabled === 1) return null;
      if ((lastRecorded.get(id) ?? 0) + LAST_USED_RESOLUTION_MS <= now) {
        lastRecorded.set(id, now);
        if (lastRecorded.size > 10_000) lastRecorded.clear();
        await ctx.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
      }
      return { key: toApiKey(r), tenantRoot: r.tenant_root === 1 };
    },
  };
}
