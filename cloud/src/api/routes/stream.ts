import { z } from 'zod';
import type { RouteContext, ZApp } from '../context.js';
import { ApiError } from '../errors.js';
import { can } from '../permissions.js';
import { toLatest, type StreamEventType, type StreamSubscriber } from '../stream/hub.js';
import { problems, siteId, uuid } from '../schemas/common.js';
import { principalOf, scopeFor } from './util.js';

const streamQuery = z.strictObject({
  site: z.string().max(2000).optional().describe('comma-separated site ids (required for latest values unless asset is given)'),
  asset: z.string().max(4000).optional().describe('comma-separated asset ids'),
  types: z
    .string()
    .regex(/^(alerts|latest)(,(alerts|latest))?$/, 'expected alerts, latest or alerts,latest')
    .optional()
    .describe('default: alerts,latest with a site or asset filter, alerts without'),
});

/**
 * `GET /api/v1/stream`: server-sent events of alert changes (`event: alert`) and latest values
 * (`event: latest`), filtered by site and asset, with the same credentials and scope as every
 * route. Comments (`: ping`) keep proxies from closing an idle stream.
 */
export function streamRoutes(app: ZApp, ctx: RouteContext): void {
  const { registry, telemetry } = ctx.deps;
  const opts = ctx.options.stream;

  app.get('/api/v1/stream', {
    schema: {
      tags: ['live'],
      summary: 'Live stream (text/event-stream) of alert changes and latest values',
      description: 'Events: `alert` (an Alert), `latest` ({siteId, values}). Sites and assets outside your scope are refused (404).',
      querystring: streamQuery,
      response: { 200: z.string().describe('text/event-stream'), ...problems },
    },
    config: { access: 'alerts:read' },
    handler: async (request, reply) => {
      const principal = principalOf(request);
      const scope = scopeFor(request);
      const requested = request.query.types ?? (request.query.site !== undefined || request.query.asset !== undefined ? 'alerts,latest' : 'alerts');
      const types = new Set(requested.split(',').map((t) => (t === 'alerts' ? 'alert' : 'latest')) as StreamEventType[]);
      if (types.has('latest') && !can(principal, 'telemetry:read')) types.delete('latest');
      const sites = request.query.site === undefined ? null : [...new Set(request.query.site.split(','))];
      const assetIds = request.query.asset === undefined ? null : [...new Set(request.query.asset.split(','))];
      for (const s of sites ?? []) {
        if (!siteId.safeParse(s).success) throw new ApiError('DCMMS_API_VALIDATION_FAILED', `site: invalid site id ${JSON.stringify(s.slice(0, 70))}`, { details: { errors: [{ in: 'querystring', path: 'site', message: 'invalid site id' }] } });
        await registry.sites.require(scope, s);
      }
      const tagsBySite = new Map<string, Set<string>>();
      const assetSites = new Set<string>();
      for (const id of assetIds ?? []) {
        if (!uuid.safeParse(id).success) throw new ApiError('DCMMS_API_VALIDATION_FAILED', 'asset: expected comma-separated UUIDs', { details: { errors: [{ in: 'querystring', path: 'asset', message: 'invalid asset id' }] } });
        const asset = await registry.assets.require(scope, id);
        assetSites.add(asset.siteId);
        const set = tagsBySite.get(asset.siteId) ?? new Set<string>();
        for (const t of await registry.assets.tags(scope, id)) set.add(t);
        tagsBySite.set(asset.siteId, set);
      }
      const latestSites = sites ?? (assetIds ? [...assetSites] : []);
      if (types.has('latest') && latestSites.length === 0) {
        throw new ApiError('DCMMS_API_VALIDATION_FAILED', 'latest values need a site or asset filter', { details: { errors: [{ in: 'querystring', path: 'site', message: 'required for latest values' }] } });
      }
      if (ctx.hub.count() >= opts.maxClients) throw new ApiError('DCMMS_API_STREAM_LIMIT', 'the server has as many live streams as it takes: try again later', { details: { retryAfterSeconds: 30 } });
      if (ctx.hub.countFor(principal.id) >= opts.maxPerPrincipal) throw new ApiError('DCMMS_API_STREAM_LIMIT', `at most ${opts.maxPerPrincipal} live streams per user or key`, { details: { retryAfterSeconds: 30 } });

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      let eventId = 0;
      let open = true;
      const write = (chunk: string): boolean => {
        if (!open) return false;
        raw.write(chunk);
        return raw.writableLength <= opts.maxBufferedBytes;
      };
      const subscriber: StreamSubscriber = {
        principalId: principal.id,
        scope,
        types,
        sites: sites ?? (assetIds ? [...assetSites] : null),
        assets: assetIds ? new Set(assetIds) : null,
        tagsBySite: assetIds ? tagsBySite : null,
        send: (event, data) => write(`id: ${++eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
        close: () => {
          if (!open) return;
          open = false;
          clearInterval(heartbeat);
          raw.end();
        },
      };
      write(`retry: 5000\n: connected ${new Date(registry.clock.now()).toISOString()}\n\n`);
      const heartbeat = setInterval(() => {
        if (!write(': ping\n\n')) remove();
      }, opts.heartbeatMs);
      const remove = ctx.hub.add(subscriber);
      raw.on('close', remove);
      raw.on('error', remove);
      // The current values first, so a client has a full picture before changes arrive.
      if (types.has('latest')) {
        for (const site of latestSites) {
          const tags = tagsBySite.get(site);
          try {
            const rows = await telemetry.latest(site, tags ? [...tags] : undefined);
            if (rows.length > 0) subscriber.send('latest', { siteId: site, values: rows.map(toLatest) });
          } catch (err) {
            request.log.warn({ err, site }, 'live stream: initial latest values unavailable');
          }
        }
      }
    },
  });
}
