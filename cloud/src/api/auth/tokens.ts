import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Clock } from '@dcmms/shared';
import { ROLES, type Role } from '../../registry/roles.js';
import { ApiError } from '../errors.js';

/** What an access token says about its bearer: enough to authorize without a database read. */
export interface AccessClaims {
  readonly userId: string;
  readonly tenantId: string;
  readonly username: string;
  readonly role: Role;
  readonly sites: readonly string[] | null;
  readonly root: boolean;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  tid: z.string().min(1),
  name: z.string(),
  role: z.enum(ROLES),
  sites: z.array(z.string()).nullable(),
  root: z.boolean(),
  typ: z.literal('access'),
});

const ISSUER = 'dcmms';
const AUDIENCE = 'dcmms-api';

export interface TokenService {
  sign(claims: AccessClaims): Promise<{ readonly token: string; readonly expiresAt: number }>;
  /** The claims, or DCMMS_API_UNAUTHENTICATED / DCMMS_API_TOKEN_EXPIRED. */
  verify(token: string): Promise<AccessClaims>;
}

/**
 * Short-lived HS256 JWT access tokens. Verified tokens are remembered (bounded) until they
 * expire, so a client polling with one token costs one HMAC, not one per request.
 */
export function createTokenService(secret: string, ttlSeconds: number, clock: Clock): TokenService {
  const key = new TextEncoder().encode(secret);
  const verified = new Map<string, { claims: AccessClaims; exp: number }>();
  const MAX_CACHED = 10_000;
  const unauthenticated = (why: string) => new ApiError('DCMMS_API_UNAUTHENTICATED', why);
  return {
    async sign(c) {
      const nowSec = Math.floor(clock.now() / 1000);
      const exp = nowSec + ttlSeconds;
      const token = await new SignJWT({ tid: c.tenantId, name: c.username, role: c.role, sites: c.sites, root: c.root, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(c.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(nowSec)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      const now = clock.now();
      const hit = verified.get(token);
      if (hit) {
        if (hit.exp * 1000 > now) return hit.claims;
        verified.delete(token);
        throw new ApiError('DCMMS_API_TOKEN_EXPIRED', 'the access token has expired: refresh it');
      }
      if (token.length > 8192) throw unauthenticated('the access token is malformed');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(now) }));
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw new ApiError('DCMMS_API_TOKEN_EXPIRED', 'the access token has expired: refresh it');
        throw unauthenticated('the access token is invalid');
      }
      const parsed = claimsSchema.safeParse(payload);
      if (!parsed.success || typeof payload.exp !== 'number') throw unauthenticated('the access token is invalid');
      const claims: AccessClaims = { userId: parsed.data.sub, tenantId: parsed.data.tid, username: parsed.data.name, role: parsed.data.role, sites: parsed.data.sites, root: parsed.data.root };
      if (verified.size >= MAX_CACHED) verified.delete(verified.keys().next().value!);
      verified.set(token, { claims, exp: payload.exp });
      return claims;
    },
  };
}
