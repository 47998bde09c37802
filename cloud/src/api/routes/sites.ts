import { z } from 'zod';
import type { RouteContext, ZApp } from '../context.js';
import { ApiError } from '../errors.js';
import { etag, pageOf, pageQuery, problems, searchText, siteId, siteParams, timeQuery, toMs, uuid } from '../schemas/common.js';
import {
  commandBody,
  commandOut,
  completenessOut,
  configDocumentOut,
  configPutBody,
  configPutOut,
  configStateOut,
  configVersionOut,
  credentialIssueBody,
  credentialIssuedOut,
  credentialOut,
  siteCreateBody,
  siteOut,
  sitePatchBody,
  siteStatusOut,
} from '../schemas/sites.js';
import { actorFor, found, pushDown, scopeFor, versionOf } from './util.js';

const TAGS = ['sites'];

export function siteRoutes(app: ZApp, ctx: RouteContext): void {
  const { registry } = ctx.deps;

  app.get('/api/v1/sites', {
    schema: { tags: TAGS, summary: 'Sites you can see', querystring: z.strictObject({ ...pageQuery, q: searchText().optional() }), response: { 200: pageOf(siteOut), ...problems } },
    config: { access: 'sites:read' },
    handler: async (request) => {
      const { limit, cursor, q } = request.query;
      return registry.sites.list(scopeFor(request), { q }, { limit, cursor });
    },
  });

  app.post('/api/v1/sites', {
    schema: { tags: TAGS, summary: 'Register a site', body: siteCreateBody, response: { 201: siteOut, ...problems } },
    config: { access: 'sites:manage' },
    handler: async (request, reply) => reply.code(201).send(await registry.sites.create(actorFor(request), scopeFor(request), request.body)),
  });

  app.get('/api/v1/sites/:siteId', {
    schema: { tags: TAGS, summary: 'One site', params: siteParams, response: { 200: siteOut, ...problems } },
    config: { access: 'sites:read' },
    handler: async (request, reply) => {
      const site = await registry.sites.require(scopeFor(request), request.params.siteId);
      return reply.header('etag', etag(site.version)).send(site);
    },
  });

  app.patch('/api/v1/sites/:siteId', {
    schema: { tags: TAGS, summary: 'Change a site', params: siteParams, body: sitePatchBody, response: { 200: siteOut, ...problems } },
    config: { access: 'sites:update' },
    handler: async (request, reply) => {
      const { version, ...patch } = request.body;
      const site = await registry.sites.update(actorFor(request), scopeFor(request), request.params.siteId, patch, versionOf(request, version, false));
      return reply.header('etag', etag(site.version)).send(site);
    },
  });

  app.delete('/api/v1/sites/:siteId', {
    schema: { tags: TAGS, summary: 'Remove a site without assets, alerts or work orders', params: siteParams, response: { 204: z.null(), ...problems } },
    config: { access: 'sites:manage' },
    handler: async (request, reply) => {
      await registry.sites.delete(actorFor(request), scopeFor(request), request.params.siteId);
      return reply.code(204).send(null);
    },
  });

  app.get('/api/v1/sites/:siteId/status', {
    schema: { tags: TAGS, summary: 'What the edge last reported: online, last seen, buffer, applied config', params: siteParams, response: { 200: siteStatusOut, ...problems } },
    config: { access: 'sites:read' },
    handler: async (request) => registry.siteStatus.get(scopeFor(request), request.params.siteId),
  });

  app.get('/api/v1/sites/:siteId/completeness', {
    schema: {
      tags: TAGS,
      summary: 'Completeness of the telemetry received from a site: batches, readings, missing seq ranges, reported gaps',
      params: siteParams,
      querystring: z.strictObject({ from: timeQuery, to: timeQuery }),
      response: { 200: completenessOut, ...problems },
    },
    config: { access: 'sites:read' },
    handler: async (request) => {
      await registry.sites.require(scopeFor(request), request.params.siteId);
      const from = toMs(request.query.from)!;
      const to = toMs(request.query.to)!;
      if (to <= from) throw new ApiError('DCMMS_API_VALIDATION_FAILED', '`to` must be after `from`', { details: { errors: [{ in: 'querystring', path: 'to', message: 'must be after from' }] } });
      const report = await ctx.deps.ledger.report(request.params.siteId, from, to);
      return { ...report, missing: [...report.missing], gaps: report.gaps.map((g) => ({ ...g })) };
    },
  });

  // --- MQTT credentials of the site's edge ---
  app.get('/api/v1/sites/:siteId/credentials', {
    schema: { tags: TAGS, summary: "The site's MQTT credentials (never the secrets)", params: siteParams, response: { 200: z.object({ items: z.array(credentialOut) }), ...problems } },
    config: { access: 'sites:credentials' },
    handler: async (request) => ({ items: await registry.credentials.list(scopeFor(request), request.params.siteId) }),
  });

  app.post('/api/v1/sites/:siteId/credentials', {
    schema: {
      tags: TAGS,
      summary: 'Issue (or rotate) the MQTT credential of the site; the secret is shown once',
      params: siteParams,
      body: credentialIssueBody,
      response: { 201: credentialIssuedOut, ...problems },
    },
    config: { access: 'sites:credentials' },
    handler: async (request, reply) => {
      const issued = await registry.credentials.issue(actorFor(request), scopeFor(request), request.params.siteId, request.body.graceSeconds * 1000);
      return reply.code(201).header('cache-control', 'no-store').send({ credential: issued.credential, username: request.params.siteId, secret: issued.secret });
    },
  });

  app.delete('/api/v1/sites/:siteId/credentials/:credentialId', {
    schema: { tags: TAGS, summary: 'Revoke a credential now', params: z.strictObject({ siteId, credentialId: uuid }), response: { 200: credentialOut, ...problems } },
    config: { access: 'sites:credentials' },
    handler: async (request) => registry.credentials.revoke(actorFor(request), scopeFor(request), request.params.siteId, request.params.credentialId),
  });

  // --- Site config, versioned, pushed down ---
  app.get('/api/v1/sites/:siteId/config', {
    schema: { tags: TAGS, summary: 'Desired config (latest version) and the version the edge applied', params: siteParams, response: { 200: configStateOut, ...problems } },
    config: { access: 'sites:config:read' },
    handler: async (request, reply) => {
      const state = await registry.configs.state(scopeFor(request), request.params.siteId);
      return reply.header('etag', etag(state.desired?.version ?? 0)).send(state);
    },
  });

  app.put('/api/v1/sites/:siteId/config', {
    schema: { tags: TAGS, summary: 'Store a new config version and push it to the edge (retained)', params: siteParams, body: configPutBody, response: { 201: configPutOut, ...problems } },
    config: { access: 'sites:config:write' },
    bodyLimit: ctx.options.configBodyLimitBytes,
    handler: async (request, reply) => {
      const expected = versionOf(request, request.body.version, false);
      const { document, envelope } = await registry.configs.put(actorFor(request), scopeFor(request), request.params.siteId, request.body.body, expected);
      const delivered = await pushDown(ctx, request, request.params.siteId, 'config', envelope, true);
      return reply.code(201).header('etag', etag(document.version)).send({ document, delivered });
    },
  });

  app.post('/api/v1/sites/:siteId/config/push', {
    schema: { tags: TAGS, summary: 'Push the latest config version again (after a failed delivery)', params: siteParams, response: { 200: configPutOut, ...problems } },
    config: { access: 'sites:config:write' },
    handler: async (request) => {
      const state = await registry.configs.state(scopeFor(request), request.params.siteId);
      const document = found(state.desired, 'site config', request.params.siteId);
      const envelope = { site: document.siteId, version: document.version, issuedAt: document.createdAt, body: document.body };
      return { document, delivered: await pushDown(ctx, request, request.params.siteId, 'config', envelope, true) };
    },
  });

  app.get('/api/v1/sites/:siteId/config/versions', {
    schema: { tags: TAGS, summary: 'Config versions, newest first', params: siteParams, querystring: z.strictObject(pageQuery), response: { 200: pageOf(configVersionOut), ...problems } },
    config: { access: 'sites:config:read' },
    handler: async (request) => registry.configs.versions(scopeFor(request), request.params.siteId, request.query),
  });

  app.get('/api/v1/sites/:siteId/config/versions/:version', {
    schema: {
      tags: TAGS,
      summary: 'One config version',
      params: z.strictObject({ siteId, version: z.coerce.number().int().min(1).max(1_000_000_000) }),
      response: { 200: configDocumentOut, ...problems },
    },
    config: { access: 'sites:config:read' },
    handler: async (request) => found(await registry.configs.version(scopeFor(request), request.params.siteId, request.params.version), 'config version', String(request.params.version)),
  });

  // --- Commands ---
  app.post('/api/v1/sites/:siteId/commands', {
    schema: { tags: TAGS, summary: 'Send a command (a tag write) to the edge; the edge refuses tags not marked writable', params: siteParams, body: commandBody, response: { 202: z.object({ command: commandOut, delivered: z.boolean() }), ...problems } },
    config: { access: 'sites:command' },
    handler: async (request, reply) => {
      const { view, command } = await registry.commands.create(actorFor(request), scopeFor(request), request.params.siteId, request.body.action, request.body.ttlSeconds * 1000);
      const delivered = await pushDown(ctx, request, request.params.siteId, 'commands', command);
      return reply.code(202).send({ command: view, delivered });
    },
  });

  app.get('/api/v1/sites/:siteId/commands', {
    schema: { tags: TAGS, summary: 'Commands sent to the site and their results', params: siteParams, querystring: z.strictObject(pageQuery), response: { 200: pageOf(commandOut), ...problems } },
    config: { access: 'sites:command' },
    handler: async (request) => registry.commands.list(scopeFor(request), request.params.siteId, request.query),
  });

  app.get('/api/v1/sites/:siteId/commands/:commandId', {
    schema: { tags: TAGS, summary: 'One command', params: z.strictObject({ siteId, commandId: uuid }), response: { 200: commandOut, ...problems } },
    config: { access: 'sites:command' },
    handler: async (request) => found(await registry.commands.get(scopeFor(request), request.params.siteId, request.params.commandId), 'command', request.params.commandId),
  });
}
