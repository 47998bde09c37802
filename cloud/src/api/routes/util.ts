import type { FastifyRequest } from 'fastify';
import type { DownlinkChannel } from '@dcmms/shared';
import type { Actor, Scope } from '../../registry/context.js';
import { notFound } from '../../registry/errors.js';
import { actorOf, scopeOf, type Principal } from '../auth/principal.js';
import type { RouteContext } from '../context.js';
import { ApiError } from '../errors.js';
import { can, type Permission } from '../permissions.js';
import { ifMatchVersion } from '../schemas/common.js';

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError('DCMMS_API_UNAUTHENTICATED', 'authentication required');
  return request.principal;
}
export const scopeFor = (request: FastifyRequest): Scope => scopeOf(principalOf(request));
export const actorFor = (request: FastifyRequest): Actor => actorOf(principalOf(request), String(request.id));

/** For checks that depend on the request, not only the route (a transition's name). */
export function requirePermission(request: FastifyRequest, permission: Permission): void {
  if (!can(principalOf(request), permission)) throw new ApiError('DCMMS_API_FORBIDDEN', `your role may not do this (needs ${permission})`, { details: { permission } });
}

export function found<T>(value: T | null | undefined, what: string, id: string): T {
  if (value === null || value === undefined) throw notFound(what, id);
  return value;
}

/**
 * The version a change is based on: If-Match (`"3"`) or a `version` field. Changes to
 * versioned entities without one are refused (428), so a lost update cannot happen by omission.
 */
export function versionOf(request: FastifyRequest, bodyVersion: number | undefined, required: boolean): number | undefined {
  const header = ifMatchVersion(request.headers['if-match']);
  if (header === 'invalid') throw new ApiError('DCMMS_API_VALIDATION_FAILED', 'If-Match must be an entity tag such as "3"', { details: { errors: [{ in: 'headers', path: 'if-match', message: 'expected "<version>"' }] } });
  if (header !== null && bodyVersion !== undefined && header !== bodyVersion) {
    throw new ApiError('DCMMS_API_VALIDATION_FAILED', 'If-Match and version disagree', { details: { errors: [{ in: 'body', path: 'version', message: 'differs from If-Match' }] } });
  }
  const v = header ?? bodyVersion;
  if (v === undefined && required) throw new ApiError('DCMMS_API_PRECONDITION_REQUIRED', 'send the version you read: If-Match: "<version>" or a version field');
  return v;
}

/**
 * Pushes a message to a site after the change is stored. A failed push is logged and counted
 * and reported to the caller (`delivered: false`); the stored change stands.
 */
export async function pushDown(ctx: RouteContext, request: FastifyRequest, site: string, channel: DownlinkChannel, message: unknown, retain = false): Promise<boolean> {
  try {
    await ctx.deps.downlink.publish(site, channel, Buffer.from(JSON.stringify(message), 'utf8'), { retain });
    return true;
  } catch (err) {
    ctx.metrics.downlinkFailures.inc({ channel });
    request.log.warn({ err, site, channel }, 'downlink publish failed; the change is stored');
    return false;
  }
}
