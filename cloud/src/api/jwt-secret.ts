import { randomBytes } from 'node:crypto';
import type { Registry } from '../registry/registry.js';

/**
 * The key that signs access tokens: from the environment when given (every replica the same),
 * else generated once and kept in the registry, so sessions survive restarts and replicas
 * sharing a registry agree without configuration.
 */
export async function resolveJwtSecret(registry: Registry, fromEnv: string | undefined): Promise<string> {
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return registry.settings.getOrCreate('api.jwt_secret', () => randomBytes(48).toString('base64url'));
}
