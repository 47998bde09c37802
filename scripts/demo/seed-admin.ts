import { randomBytes } from 'node:crypto';
import { bootstrapAdmin, systemActor, verifyPassword, type Registry } from '@dcmms/cloud';

export const DEMO_TENANT_NAME = 'Demo Energy';
export const SEED_ACTOR_NAME = 'demo-seed';

export interface AdminSeed {
  readonly tenantId: string;
  readonly userId: string;
  readonly username: string;
  /** The password to print: generated now, or the one from DCMMS_ADMIN_PASSWORD; null when unknown (printed at the first start). */
  readonly password: string | null;
  readonly passwordSource: 'generated' | 'environment' | 'first-start';
}

/**
 * The tenant and its admin. The first start creates both (password from the environment or
 * generated, returned once: only its hash is stored). Later starts change nothing, except
 * that a DCMMS_ADMIN_PASSWORD that no longer matches resets the admin's password to it, and
 * a login name not seen before is created as another admin of the demo tenant.
 */
export async function seedAdmin(registry: Registry, o: { readonly username: string; readonly password: string | undefined; readonly siteId: string }): Promise<AdminSeed> {
  const existing = await registry.users.findForLogin(o.username.toLowerCase());
  if (existing) {
    if (o.password === undefined) return { tenantId: existing.tenantId, userId: existing.id, username: existing.username, password: null, passwordSource: 'first-start' };
    if (!(await verifyPassword(o.password, existing.passwordHash))) {
      await registry.users.update(systemActor(existing.tenantId, SEED_ACTOR_NAME), existing.tenantId, existing.id, { password: o.password });
    }
    return { tenantId: existing.tenantId, userId: existing.id, username: existing.username, password: o.password, passwordSource: 'environment' };
  }
  if ((await registry.users.count()) === 0) {
    const boot = await bootstrapAdmin(registry, { username: o.username, password: o.password, tenantName: DEMO_TENANT_NAME });
    const user = await registry.users.findForLogin(o.username.toLowerCase());
    if (!user) throw new Error(`the admin ${o.username} was not created`);
    const password = boot.generatedPassword ?? o.password ?? null;
    return { tenantId: user.tenantId, userId: user.id, username: user.username, password, passwordSource: boot.generatedPassword ? 'generated' : password === null ? 'first-start' : 'environment' };
  }
  // Users exist, but not this one (DCMMS_ADMIN_USER changed): another admin of the demo's tenant.
  const tenantId = (await registry.sites.tenantOf(o.siteId)) ?? (await registry.tenants.list({ limit: 1 })).items[0]?.id;
  if (tenantId === undefined) throw new Error('the registry has users but no tenant');
  const password = o.password ?? randomBytes(18).toString('base64url');
  const user = await registry.users.create(systemActor(tenantId, SEED_ACTOR_NAME), tenantId, { username: o.username, displayName: 'Administrator', password, role: 'admin' });
  return { tenantId, userId: user.id, username: user.username, password, passwordSource: o.password === undefined ? 'generated' : 'environment' };
}
