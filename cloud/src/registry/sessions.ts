import type { AuditWriter } from './audit.js';
import type { RegistryContext } from './context.js';
import { RegistryError } from './errors.js';
import { newSecret, sha256 } from './secrets.js';

/**
 * Refresh tokens: opaque, stored hashed, single use. Each refresh retires the token and issues
 * the next of the same family; presenting a retired token again means it leaked (someone else
 * used it first, or is using it now), so the whole family is revoked and both parties must log
 * in again (OAuth 2.0 Security BCP, refresh token rotation).
 */
export interface IssuedRefreshToken {
  readonly token: string;
  readonly familyId: string;
  readonly expiresAt: number;
}

export interface SessionStore {
  issue(userId: string, tenantId: string, familyId?: string): Promise<IssuedRefreshToken>;
  /** The next token of the family, or DCMMS_AUTH_REFRESH_INVALID / DCMMS_AUTH_REFRESH_REUSED. */
  rotate(token: string): Promise<{ readonly userId: string; readonly tenantId: string; readonly next: IssuedRefreshToken }>;
  /** Ends the session the token belongs to; unknown tokens are ignored (logout is idempotent). */
  revokeFamilyOf(token: string): Promise<void>;
}

export function createSessionStore(ctx: RegistryContext, audit: AuditWriter, ttlMs: number): SessionStore {
  const issue = async (userId: string, tenantId: string, familyId?: string): Promise<IssuedRefreshToken> => {
    const token = `rt_${newSecret()}`;
    const now = ctx.clock.now();
    const family = familyId ?? ctx.newId();
    const expiresAt = now + ttlMs;
    await ctx.db
      .insertInto('refresh_tokens')
      .values({ id: ctx.newId(), tenant_id: tenantId, user_id: userId, family_id: family, token_hash: sha256(token), created_at: now, expires_at: expiresAt, used_at: null, revoked_at: null, revoked_reason: null })
      .execute();
    return { token, familyId: family, expiresAt };
  };
  const invalid = () => new RegistryError('DCMMS_AUTH_REFRESH_INVALID', 'the refresh token is invalid or expired: log in again');
  return {
    issue,
    async rotate(token) {
      const now = ctx.clock.now();
      const row = await ctx.db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
      if (!row) throw invalid();
      if (row.revoked_at !== null) throw invalid();
      // Claim the token atomically: of two concurrent refreshes with one token, one wins.
      const claimed = row.used_at === null
        ? await ctx.db.updateTable('refresh_tokens').set({ used_at: now }).where('id', '=', row.id).where('used_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst()
        : undefined;
      if (!claimed || claimed.numUpdatedRows !== 1n) {
        await ctx.db.transaction().execute(async (trx) => {
          await trx.updateTable('refresh_tokens').set({ revoked_at: now, revoked_reason: 'reuse_detected' }).where('family_id', '=', row.family_id).where('revoked_at', 'is', null).execute();
          await audit(trx, { type: 'system', id: 'auth', name: 'auth', tenantId: row.tenant_id }, {
            action: 'session.reuse_detected',
            entityType: 'user',
            entityId: row.user_id,
            after: { familyId: row.family_id },
          });
        });
        ctx.log.warn({ userId: row.user_id, familyId: row.family_id }, 'refresh token reused: session family revoked');
        throw new RegistryError('DCMMS_AUTH_REFRESH_REUSED', 'this refresh token was already used: the session is revoked, log in again');
      }
      if (Number(row.expires_at) <= now) throw invalid();
      const user = await ctx.db.selectFrom('users').innerJoin('tenants', 'tenants.id', 'users.tenant_id').select(['users.disabled as ud', 'tenants.disabled as td']).where('users.id', '=', row.user_id).executeTakeFirst();
      if (!user || user.ud === 1 || user.td === 1) throw invalid();
      const next = await issue(row.user_id, row.tenant_id, row.family_id);
      return { userId: row.user_id, tenantId: row.tenant_id, next };
    },
    async revokeFamilyOf(token) {
      const row = await ctx.db.selectFrom('refresh_tokens').select(['family_id']).where('token_hash', '=', sha256(token)).executeTakeFirst();
      if (!row) return;
      await ctx.db.updateTable('refresh_tokens').set({ revoked_at: ctx.clock.now(), revoked_reason: 'logout' }).where('family_id', '=', row.family_id).where('revoked_at', 'is', null).execute();
    },
  };
}
