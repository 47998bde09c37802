import type { AuditWriter } from './audit.js';
import { requireSite as requireSiteIn, type Actor, type RegistryContext, type Scope } from './context.js';
import { notFound } from './errors.js';
import { newSecret, sameHash, sha256 } from './secrets.js';
import type { SiteCredentialsTable } from '../db/tables/sites.js';

export interface SiteCredential {
  readonly id: string;
  readonly siteId: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

export interface SiteCredentialStore {
  /**
   * A new secret for the site's edge, shown once. Current credentials stay valid for
   * `graceMs` (0: they stop now), so an edge can be switched over without an outage.
   */
  issue(actor: Actor, scope: Scope, siteId: string, graceMs: number): Promise<{ readonly credential: SiteCredential; readonly secret: string }>;
  list(scope: Scope, siteId: string): Promise<SiteCredential[]>;
  revoke(actor: Actor, scope: Scope, siteId: string, id: string): Promise<SiteCredential>;
  /** The gateway's check (SiteCredentialVerifier): the site's tenant when the secret is current. */
  verify(siteId: string, secret: string): Promise<{ readonly tenantId: string } | null>;
}

const toCredential = (r: SiteCredentialsTable): SiteCredential => ({
  id: r.id,
  siteId: r.site_id,
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export function createSiteCredentialStore(ctx: RegistryContext, audit: AuditWriter): SiteCredentialStore {
  const requireSite = (scope: Scope, siteId: string) => requireSiteIn(ctx.db, scope, siteId);
  return {
    async issue(actor, scope, siteId, graceMs) {
      await requireSite(scope, siteId);
      const secret = newSecret();
      const now = ctx.clock.now();
      const row: SiteCredentialsTable = { id: ctx.newId(), tenant_id: scope.tenantId, site_id: siteId, secret_hash: sha256(secret), created_at: now, created_by: actor.id, expires_at: null, revoked_at: null };
      await ctx.db.transaction().execute(async (trx) => {
        const until = now + Math.max(0, graceMs);
        const current = await trx.selectFrom('site_credentials').selectAll().where('site_id', '=', siteId).where('revoked_at', 'is', null).execute();
        for (const c of current) {
          if (c.expires_at !== null && Number(c.expires_at) <= until) continue;
          await trx.updateTable('site_credentials').set(graceMs > 0 ? { expires_at: until } : { revoked_at: now }).where('id', '=', c.id).execute();
        }
        await trx.insertInto('site_credentials').values(row).execute();
        await audit(trx, actor, { action: 'site.credential.issue', entityType: 'site_credential', entityId: row.id, siteId, after: { ...toCredential(row), graceMs, previous: current.map((c) => c.id) } });
      });
      return { credential: toCredential(row), secret };
    },
    async list(scope, siteId) {
      await requireSite(scope, siteId);
      const rows = await ctx.db.selectFrom('site_credentials').selectAll().where('site_id', '=', siteId).orderBy('id', 'desc').limit(100).execute();
      return rows.map(toCredential);
    },
    async revoke(actor, scope, siteId, id) {
      await requireSite(scope, siteId);
      return ctx.db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('site_credentials').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('credential', id);
        const after = { ...before, revoked_at: before.revoked_at ?? ctx.clock.now() };
        await trx.updateTable('site_credentials').set({ revoked_at: after.revoked_at }).where('id', '=', id).execute();
        await audit(trx, actor, { action: 'site.credential.revoke', entityType: 'site_credential', entityId: id, siteId, before: toCredential(before), after: toCredential(after) });
        return toCredential(after);
      });
    },
    async verify(siteId, secret) {
      if (secret.length === 0 || secret.length > 512) return null;
      const now = ctx.clock.now();
      const rows = await ctx.db
        .selectFrom('site_credentials')
        .innerJoin('tenants', 'tenants.id', 'site_credentials.tenant_id')
        .select(['site_credentials.secret_hash', 'site_credentials.expires_at', 'site_credentials.tenant_id', 'tenants.disabled'])
        .where('site_credentials.site_id', '=', siteId)
        .where('site_credentials.revoked_at', 'is', null)
        .execute();
      const hash = sha256(secret);
      for (const r of rows) {
        if (r.disabled === 1 || (r.expires_at !== null && Number(r.expires_at) <= now)) continue;
        if (sameHash(r.secret_hash, hash)) return { tenantId: r.tenant_id };
      }
      return null;
    },
  };
}
