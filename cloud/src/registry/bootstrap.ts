import { randomBytes } from 'node:crypto';
import { isDcmmsError } from '@dcmms/shared';
import type { Registry } from './registry.js';

export interface BootstrapResult {
  readonly created: boolean;
  readonly tenantId: string | null;
  readonly username: string;
  /** Only when it was generated here: print it once, it is stored hashed. */
  readonly generatedPassword: string | null;
}

/**
 * On first start (no users at all) creates the root tenant and its admin, so a fresh install
 * can be logged into. Later starts change nothing, whatever the environment says.
 */
export async function bootstrapAdmin(registry: Registry, options: { readonly username: string; readonly password?: string | undefined; readonly tenantName?: string | undefined }): Promise<BootstrapResult> {
  if ((await registry.users.count()) > 0) return { created: false, tenantId: null, username: options.username, generatedPassword: null };
  const generated = options.password === undefined || options.password === '' ? randomBytes(18).toString('base64url') : null;
  const tenantId = registry.newId();
  const actor = { type: 'system' as const, id: 'bootstrap', name: 'bootstrap', tenantId };
  await registry.tenants.create(actor, { id: tenantId, name: options.tenantName ?? 'default', root: true });
  try {
    await registry.users.create(actor, tenantId, { username: options.username, displayName: 'Administrator', password: generated ?? options.password!, role: 'admin' });
  } catch (err) {
    // Another replica bootstrapped at the same moment and took the name: theirs stands.
    if (isDcmmsError(err, 'DCMMS_REGISTRY_CONFLICT')) return { created: false, tenantId: null, username: options.username, generatedPassword: null };
    throw err;
  }
  return { created: true, tenantId, username: options.username, generatedPassword: generated };
}
