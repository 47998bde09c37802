import { z } from 'zod';
import type { RouteContext, ZApp } from '../context.js';
import { ApiError } from '../errors.js';
import {
  apiKeyCreateBody,
  apiKeyCreatedOut,
  apiKeyOut,
  idParam,
  tenantCreateBody,
  tenantOut,
  tenantPatchBody,
  userCreateBody,
  userOut,
  userPatchBody,
} from '../schemas/auth.js';
import { pageOf, pageQuery, problems, searchText } from '../schemas/common.js';
import { ROLES } from '../../registry/roles.js';
import { actorFor, found, principalOf, versionOf } from './util.js';

/** Tenants (operator admins), users and API keys (tenant admins). */
export function adminRoutes(app: ZApp, ctx: RouteContext): void {
  const { registry } = ctx.deps;

  app.get('/api/v1/tenants', {
    schema: { tags: ['tenants'], summary: 'List tenants (operator admins)', querystring: z.strictObject(pageQuery), response: { 200: pageOf(tenantOut), ...problems } },
    config: { access: 'tenants:admin' },
    handler: async (request) => registry.tenants.list(request.query),
  });

  app.post('/api/v1/tenants', {
    schema: { tags: ['tenants'], summary: 'Create a tenant with its first admin', body: tenantCreateBody, response: { 201: z.object({ tenant: tenantOut, admin: userOut }), ...problems } },
    config: { access: 'tenants:admin' },
    handler: async (request, reply) => {
      const actor = actorFor(request);
      const tenant = await registry.tenants.create(actor, { name: request.body.name });
      const admin = await registry.users.create({ ...actor, tenantId: tenant.id }, tenant.id, { ...request.body.admin, role: 'admin' });
      return reply.code(201).send({ tenant, admin });
    },
  });

  app.get('/api/v1/tenants/:id', {
    schema: { tags: ['tenants'], summary: 'One tenant', params: idParam, response: { 200: tenantOut, ...problems } },
    config: { access: 'tenants:admin' },
    handler: async (request) => found(await registry.tenants.get(request.params.id), 'tenant', request.params.id),
  });

  app.patch('/api/v1/tenants/:id', {
    schema: { tags: ['tenants'], summary: 'Rename or disable a tenant', params: idParam, body: tenantPatchBody, response: { 200: tenantOut, ...problems } },
    config: { access: 'tenants:admin' },
    handler: async (request) => {
      if (request.params.id === principalOf(request).tenantId && request.body.disabled) throw new ApiError('DCMMS_API_FORBIDDEN', 'the operator tenant cannot disable itself');
      return registry.tenants.update(actorFor(request), request.params.id, request.body);
    },
  });

  const userListQuery = z.strictObject({ ...pageQuery, q: searchText().optional(), role: z.enum(ROLES).optional() });
  app.get('/api/v1/users', {
    schema: { tags: ['users'], summary: 'Users of your tenant', querystring: userListQuery, response: { 200: pageOf(userOut), ...problems } },
    config: { access: 'users:admin' },
    handler: async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return registry.users.list(principalOf(request).tenantId, filter, { limit, cursor });
    },
  });

  app.post('/api/v1/users', {
    schema: { tags: ['users'], summary: 'Create a user', body: userCreateBody, response: { 201: userOut, ...problems } },
    config: { access: 'users:admin' },
    handler: async (request, reply) => reply.code(201).send(await registry.users.create(actorFor(request), principalOf(request).tenantId, request.body)),
  });

  app.get('/api/v1/users/:id', {
    schema: { tags: ['users'], summary: 'One user', params: idParam, response: { 200: userOut, ...problems } },
    config: { access: 'users:admin' },
    handler: async (request) => found(await registry.users.get(principalOf(request).tenantId, request.params.id), 'user', request.params.id),
  });

  app.patch('/api/v1/users/:id', {
    schema: { tags: ['users'], summary: 'Change role, sites, name or password; disable (ends their sessions)', params: idParam, body: userPatchBody, response: { 200: userOut, ...problems } },
    config: { access: 'users:admin' },
    handler: async (request) => {
      const { version, ...patch } = request.body;
      const p = principalOf(request);
      if (p.id === request.params.id && (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin'))) {
        throw new ApiError('DCMMS_API_FORBIDDEN', 'you cannot disable or demote yourself');
      }
      return registry.users.update(actorFor(request), p.tenantId, request.params.id, patch, versionOf(request, version, false));
    },
  });

  app.delete('/api/v1/users/:id', {
    schema: { tags: ['users'], summary: 'Disable a user and end their sessions (history keeps their name)', params: idParam, response: { 204: z.null(), ...problems } },
    config: { access: 'users:admin' },
    handler: async (request, reply) => {
      const p = principalOf(request);
      if (p.id === request.params.id) throw new ApiError('DCMMS_API_FORBIDDEN', 'you cannot delete yourself');
      await registry.users.update(actorFor(request), p.tenantId, request.params.id, { disabled: true });
      return reply.code(204).send(null);
    },
  });

  app.get('/api/v1/api-keys', {
    schema: { tags: ['api-keys'], summary: 'API keys of your tenant (never the keys themselves)', querystring: z.strictObject(pageQuery), response: { 200: pageOf(apiKeyOut), ...problems } },
    config: { access: 'api-keys:admin' },
    handler: async (request) => registry.apiKeys.list(principalOf(request).tenantId, request.query),
  });

  app.post('/api/v1/api-keys', {
    schema: { tags: ['api-keys'], summary: 'Create an API key for a machine client (the key is shown once)', body: apiKeyCreateBody, response: { 201: apiKeyCreatedOut, ...problems } },
    config: { access: 'api-keys:admin' },
    handler: async (request, reply) => reply.code(201).send(await registry.apiKeys.create(actorFor(request), principalOf(request).tenantId, request.body)),
  });

  app.delete('/api/v1/api-keys/:id', {
    schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: idParam, response: { 200: apiKeyOut, ...problems } },
    config: { access: 'api-keys:admin' },
    handler: async (request) => registry.apiKeys.revoke(actorFor(request), principalOf(request).tenantId, request.params.id),
  });

  const auditQuery = z.strictObject({
    ...pageQuery,
    entityType: searchText(64).optional(),
    entityId: searchText(200).optional(),
    actorId: searchText(200).optional(),
    action: searchText(100).optional(),
  });
  const auditOut = z.object({
    id: z.string(),
    at: z.number(),
    actor: z.object({ type: z.string(), id: z.string(), name: z.string() }),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    siteId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  });
  app.get('/api/v1/audit', {
    schema: { tags: ['audit'], summary: 'The audit log of your tenant: who changed what, before and after', querystring: auditQuery, response: { 200: pageOf(auditOut), ...problems } },
    config: { access: 'audit:read' },
    handler: async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return registry.audit.list({ tenantId: principalOf(request).tenantId, sites: null }, filter, { limit, cursor });
    },
  });
}
