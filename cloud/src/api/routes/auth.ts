import { z } from 'zod';
import { hashPassword, verifyPassword } from '../../registry/secrets.js';
import { RegistryError } from '../../registry/errors.js';
import type { RouteContext, ZApp } from '../context.js';
import { ApiError } from '../errors.js';
import { PERMISSIONS, can } from '../permissions.js';
import { loginBody, meOut, passwordBody, refreshBody, tokensOut } from '../schemas/auth.js';
import { problems } from '../schemas/common.js';
import { actorFor, principalOf } from './util.js';

const TAGS = ['auth'];

export function authRoutes(app: ZApp, ctx: RouteContext): void {
  const { registry } = ctx.deps;
  // Verifying against this when the user does not exist keeps "no such user" as slow as "wrong password".
  const dummyHash = hashPassword('not a password: timing equaliser');

  const issueTokens = async (userId: string, tenantId: string, familyId?: string, preIssued?: { token: string; expiresAt: number }) => {
    const user = await registry.users.get(tenantId, userId);
    const tenant = await registry.tenants.get(tenantId);
    if (!user || user.disabled || !tenant || tenant.disabled) throw new RegistryError('DCMMS_AUTH_REFRESH_INVALID', 'the account is disabled');
    const refresh = preIssued ?? (await registry.sessions.issue(userId, tenantId, familyId));
    const access = await ctx.tokens.sign({ userId, tenantId, username: user.username, role: user.role, sites: user.sites, root: tenant.root });
    return { accessToken: access.token, refreshToken: refresh.token, tokenType: 'Bearer' as const, expiresAt: access.expiresAt, refreshExpiresAt: refresh.expiresAt };
  };

  app.post('/api/v1/auth/login', {
    schema: { tags: TAGS, summary: 'Log in with a username and password', body: loginBody, response: { 200: tokensOut, ...problems } },
    config: {
      access: 'public',
      rateLimit: { max: ctx.options.loginRateLimit.max, timeWindow: ctx.options.loginRateLimit.windowMs, keyGenerator: (req) => `login:${req.ip}` },
    },
    handler: async (request) => {
      const name = request.body.username.trim().toLowerCase();
      const locked = ctx.loginGuard.lockedFor(name);
      if (locked > 0) {
        throw new ApiError('DCMMS_API_LOGIN_LOCKED', `too many failed logins for this user: try again in ${Math.ceil(locked / 1000)} s`, { details: { retryAfterSeconds: Math.ceil(locked / 1000) } });
      }
      const user = await registry.users.findForLogin(name);
      const ok = await verifyPassword(request.body.password, user?.passwordHash ?? (await dummyHash));
      const tenant = user ? await registry.tenants.get(user.tenantId) : null;
      if (!user || !ok || user.disabled || !tenant || tenant.disabled) {
        ctx.loginGuard.failed(name);
        ctx.metrics.loginFailures.inc();
        request.log.info({ username: name }, 'login failed');
        throw new RegistryError('DCMMS_AUTH_INVALID_CREDENTIALS', 'invalid username or password');
      }
      ctx.loginGuard.succeeded(name);
      await registry.users.recordLogin(user.id);
      return issueTokens(user.id, user.tenantId);
    },
  });

  app.post('/api/v1/auth/refresh', {
    schema: { tags: TAGS, summary: 'Exchange a refresh token for new tokens (the old one is spent)', body: refreshBody, response: { 200: tokensOut, ...problems } },
    config: { access: 'public' },
    handler: async (request) => {
      const rotated = await registry.sessions.rotate(request.body.refreshToken);
      return issueTokens(rotated.userId, rotated.tenantId, undefined, rotated.next);
    },
  });

  app.post('/api/v1/auth/logout', {
    schema: { tags: TAGS, summary: 'End the session of a refresh token', body: refreshBody, response: { 204: z.null(), ...problems } },
    config: { access: 'public' },
    handler: async (request, reply) => {
      await registry.sessions.revokeFamilyOf(request.body.refreshToken);
      return reply.code(204).send(null);
    },
  });

  app.get('/api/v1/auth/me', {
    schema: { tags: TAGS, summary: 'Who the credentials belong to and what they may do', response: { 200: meOut, ...problems } },
    config: { access: 'authenticated' },
    handler: async (request) => {
      const p = principalOf(request);
      return { kind: p.kind, id: p.id, name: p.name, tenantId: p.tenantId, role: p.role, sites: p.sites ? [...p.sites] : null, root: p.root, permissions: PERMISSIONS.filter((perm) => can(p, perm)) };
    },
  });

  app.post('/api/v1/auth/password', {
    schema: { tags: TAGS, summary: 'Change your own password (ends your other sessions)', body: passwordBody, response: { 204: z.null(), ...problems } },
    config: { access: 'authenticated' },
    handler: async (request, reply) => {
      const p = principalOf(request);
      if (p.kind !== 'user') throw new ApiError('DCMMS_API_FORBIDDEN', 'API keys have no password');
      const user = await registry.users.findForLogin(p.name);
      if (!user || user.id !== p.id || !(await verifyPassword(request.body.currentPassword, user.passwordHash))) {
        throw new RegistryError('DCMMS_AUTH_INVALID_CREDENTIALS', 'the current password is wrong');
      }
      await registry.users.update(actorFor(request), p.tenantId, p.id, { password: request.body.newPassword });
      return reply.code(204).send(null);
    },
  });
}
