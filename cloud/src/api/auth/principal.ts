import type { FastifyRequest } from 'fastify';
import type { Actor, Scope } from '../../registry/context.js';
import type { Registry } from '../../registry/registry.js';
import type { Role } from '../../registry/roles.js';
import { ApiError } from '../errors.js';
import type { TokenService } from './tokens.js';

/** Who is calling: a user with an access token, or a machine with an API key. */
export interface Principal {
  readonly kind: 'user' | 'api_key';
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly sites: readonly string[] | null;
  readonly root: boolean;
}

export const scopeOf = (p: Principal): Scope => ({ tenantId: p.tenantId, sites: p.sites });

export const actorOf = (p: Principal, requestId?: string): Actor => ({ type: p.kind, id: p.id, name: p.name, tenantId: p.tenantId, requestId });

/**
 * Reads the credentials of a request: `Authorization: Bearer <access token>`, or an API key
 * as `Authorization: ApiKey <key>` or `X-API-Key: <key>`.
 */
export async function authenticate(request: FastifyRequest, tokens: TokenService, registry: Registry): Promise<Principal> {
  const header = request.headers.authorization;
  const apiKeyHeader = request.headers['x-api-key'];
  let apiKey: string | undefined = typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined;
  if (header !== undefined) {
    const space = header.indexOf(' ');
    const scheme = space < 0 ? header : header.slice(0, space);
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (/^bearer$/i.test(scheme) && value !== '') {
      const claims = await tokens.verify(value);
      return { kind: 'user', id: claims.userId, name: claims.username, tenantId: claims.tenantId, role: claims.role, sites: claims.sites, root: claims.root };
    }
    if (/^apikey$/i.test(scheme) && value !== '') apiKey = value;
    else if (apiKey === undefined) throw new ApiError('DCMMS_API_UNAUTHENTICATED', 'unsupported Authorization scheme: use Bearer <access token> or ApiKey <key>');
  }
  if (apiKey === undefined) throw new ApiError('DCMMS_API_UNAUTHENTICATED', 'authentication required: Authorization: Bearer <access token>, or an API key');
  const identity = await registry.apiKeys.authenticate(apiKey);
  if (!identity) throw new ApiError('DCMMS_API_UNAUTHENTICATED', 'the API key is invalid, expired or revoked');
  const k = identity.key;
  return { kind: 'api_key', id: k.id, name: `api-key:${k.name}`, tenantId: k.tenantId, role: k.role, sites: k.sites, root: identity.tenantRoot };
}
