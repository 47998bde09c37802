import { z } from 'zod';
import type { RouteContext, ZApp } from '../context.js';
import { etag, idParams, pageOf, problems } from '../schemas/common.js';
import { assetCreateBody, assetListQuery, assetOut, assetPatchBody, hierarchyOut, nearbyOut, nearbyQuery, tagsBody, tagsOut } from '../schemas/assets.js';
import { actorFor, scopeFor, versionOf } from './util.js';

const TAGS = ['assets'];

export function assetRoutes(app: ZApp, ctx: RouteContext): void {
  const { registry } = ctx.deps;

  app.get('/api/v1/assets', {
    schema: { tags: TAGS, summary: 'Assets, filtered by site, kind, parent, text or bounding box', querystring: assetListQuery, response: { 200: pageOf(assetOut), ...problems } },
    config: { access: 'assets:read' },
    handler: async (request) => {
      const { limit, cursor, bbox, ...filter } = request.query;
      const box = bbox?.split(',').map(Number);
      return registry.assets.list(scopeFor(request), { ...filter, ...(box ? { bbox: { minLon: box[0]!, minLat: box[1]!, maxLon: box[2]!, maxLat: box[3]! } } : {}) }, { limit, cursor });
    },
  });

  app.get('/api/v1/assets/nearby', {
    schema: { tags: TAGS, summary: 'Assets within a radius of a point, nearest first', querystring: nearbyQuery, response: { 200: nearbyOut, ...problems } },
    config: { access: 'assets:read' },
    handler: async (request) => ({ items: await registry.assets.nearby(scopeFor(request), request.query) }),
  });

  app.post('/api/v1/assets', {
    schema: { tags: TAGS, summary: 'Create an asset (under the site or under another asset, at most 5 levels)', body: assetCreateBody, response: { 201: assetOut, ...problems } },
    config: { access: 'assets:write' },
    handler: async (request, reply) => {
      const asset = await registry.assets.create(actorFor(request), scopeFor(request), request.body);
      return reply.code(201).header('etag', etag(asset.version)).send(asset);
    },
  });

  app.get('/api/v1/assets/:id', {
    schema: { tags: TAGS, summary: 'One asset', params: idParams, response: { 200: assetOut, ...problems } },
    config: { access: 'assets:read' },
    handler: async (request, reply) => {
      const asset = await registry.assets.require(scopeFor(request), request.params.id);
      return reply.header('etag', etag(asset.version)).send(asset);
    },
  });

  app.patch('/api/v1/assets/:id', {
    schema: { tags: TAGS, summary: 'Change or move an asset (cycles and depth over 5 are refused)', params: idParams, body: assetPatchBody, response: { 200: assetOut, ...problems } },
    config: { access: 'assets:write' },
    handler: async (request, reply) => {
      const { version, ...patch } = request.body;
      const asset = await registry.assets.update(actorFor(request), scopeFor(request), request.params.id, patch, versionOf(request, version, false));
      return reply.header('etag', etag(asset.version)).send(asset);
    },
  });

  app.delete('/api/v1/assets/:id', {
    schema: { tags: TAGS, summary: 'Delete an asset without children or work orders', params: idParams, response: { 204: z.null(), ...problems } },
    config: { access: 'assets:write' },
    handler: async (request, reply) => {
      await registry.assets.delete(actorFor(request), scopeFor(request), request.params.id);
      return reply.code(204).send(null);
    },
  });

  app.get('/api/v1/assets/:id/hierarchy', {
    schema: { tags: TAGS, summary: 'The asset with its ancestors and its whole subtree', params: idParams, response: { 200: hierarchyOut, ...problems } },
    config: { access: 'assets:read' },
    handler: async (request) => registry.assets.hierarchy(scopeFor(request), request.params.id),
  });

  app.get('/api/v1/assets/:id/tags', {
    schema: { tags: TAGS, summary: 'Telemetry tags bound to the asset', params: idParams, response: { 200: tagsOut, ...problems } },
    config: { access: 'assets:read' },
    handler: async (request) => ({ assetId: request.params.id, tags: await registry.assets.tags(scopeFor(request), request.params.id) }),
  });

  app.put('/api/v1/assets/:id/tags', {
    schema: { tags: TAGS, summary: 'Replace the tags bound to the asset (a tag belongs to one asset per site)', params: idParams, body: tagsBody, response: { 200: tagsOut, ...problems } },
    config: { access: 'assets:write' },
    handler: async (request) => ({ assetId: request.params.id, tags: await registry.assets.setTags(actorFor(request), scopeFor(request), request.params.id, request.body.tags) }),
  });

  void ctx;
}
