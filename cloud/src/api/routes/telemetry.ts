import type { TelemetryRow } from '../../ports/telemetry-store.js';
import type { RouteContext, ZApp } from '../context.js';
import { ApiError } from '../errors.js';
import { assetOut } from '../schemas/assets.js';
import { idParams, problems, siteParams, toMs } from '../schemas/common.js';
import {
  downsampleQuery,
  intervalMs,
  latestOut,
  latestQuery,
  parseTags,
  pointsOut,
  rangeQuery,
  rowsOut,
  siteDownsampleQuery,
  siteRangeQuery,
  tagOk,
} from '../schemas/telemetry.js';
import { scopeFor } from './util.js';

const TAGS = ['telemetry'];

const invalid = (path: string, message: string) => new ApiError('DCMMS_API_VALIDATION_FAILED', `${path}: ${message}`, { details: { errors: [{ in: 'querystring', path, message }] } });
const tooLarge = (message: string, limit: number) => new ApiError('DCMMS_API_QUERY_TOO_LARGE', message, { details: { limit } });

const rowOut = (r: TelemetryRow) => ({ tag: r.tag, asset: r.asset, ts: r.ts, value: r.value, text: r.text, quality: r.quality, receivedAt: r.receivedAt });

/**
 * Telemetry of an asset (its bound tags) or of a site's tags: raw range, downsampled, latest.
 * Results are bounded: a query that would return more than the limits is refused with what
 * to change, never truncated silently.
 */
export function telemetryRoutes(app: ZApp, ctx: RouteContext): void {
  const { registry, telemetry } = ctx.deps;
  const limits = ctx.options.telemetry;

  const window = (q: { from: string; to: string }) => {
    const from = toMs(q.from)!;
    const to = toMs(q.to)!;
    if (to <= from) throw invalid('to', 'must be after from');
    return { from, to };
  };
  const checkTags = (tags: string[]) => {
    if (tags.length === 0) throw invalid('tags', 'no tags to query');
    const bad = tags.find((t) => !tagOk(t));
    if (bad !== undefined) throw invalid('tags', `invalid tag name ${JSON.stringify(bad.slice(0, 50))}`);
    if (tags.length > limits.maxTags) throw tooLarge(`at most ${limits.maxTags} tags per query (asked ${tags.length})`, limits.maxTags);
    return tags;
  };
  /** The asset's tags, or the requested ones, which must be bound to it. */
  const assetTags = async (scope: ReturnType<typeof scopeFor>, id: string, requested: string | undefined) => {
    const { asset, tags: bound } = await registry.assets.withTags(scope, id);
    const asked = parseTags(requested);
    if (asked === undefined) return { asset, tags: bound };
    const unbound = asked.filter((t) => !bound.includes(t));
    if (unbound.length > 0) throw invalid('tags', `not bound to this asset: ${unbound.slice(0, 10).join(', ')}`);
    return { asset, tags: asked };
  };

  const raw = async (site: string, tags: string[], q: { from: string; to: string; limit?: number | undefined }) => {
    const { from, to } = window(q);
    const limit = q.limit ?? limits.maxRows;
    if (limit > limits.maxRows) throw tooLarge(`limit may be at most ${limits.maxRows}`, limits.maxRows);
    if (tags.length === 0) return { siteId: site, from, to, rows: [] };
    const rows = await telemetry.range({ site, tags: checkTags(tags), from, to, limit: limit + 1 });
    if (rows.length > limit) throw tooLarge(`more than ${limit} readings in that range: narrow the time range or the tags, or use /downsampled`, limit);
    return { siteId: site, from, to, rows: rows.map(rowOut) };
  };
  const downsampled = async (site: string, tags: string[], q: { from: string; to: string; interval: string; aggregate: 'avg' | 'min' | 'max' | 'last' | 'count' }) => {
    const { from, to } = window(q);
    const step = intervalMs(q.interval);
    if (step < 1) throw invalid('interval', 'must be at least 1ms');
    const buckets = Math.ceil((to - from) / step);
    if (buckets > limits.maxPoints) throw tooLarge(`${buckets} buckets per tag; at most ${limits.maxPoints}: widen the interval or narrow the range`, limits.maxPoints);
    const points = tags.length === 0 ? [] : await telemetry.downsample({ site, tags: checkTags(tags), from, to, intervalMs: step, aggregate: q.aggregate, limit: buckets * tags.length });
    return { siteId: site, from, to, intervalMs: step, aggregate: q.aggregate, points: points.map((p) => ({ tag: p.tag, ts: p.ts, value: p.value })) };
  };

  app.get('/api/v1/assets/:id/telemetry', {
    schema: { tags: TAGS, summary: 'Raw readings of the asset’s tags in a time range', params: idParams, querystring: rangeQuery, response: { 200: rowsOut, ...problems } },
    config: { access: 'telemetry:read' },
    handler: async (request) => {
      const { asset, tags } = await assetTags(scopeFor(request), request.params.id, request.query.tags);
      return raw(asset.siteId, tags, request.query);
    },
  });

  app.get('/api/v1/assets/:id/telemetry/downsampled', {
    schema: { tags: TAGS, summary: 'The asset’s tags aggregated per interval (avg, min, max, last, count)', params: idParams, querystring: downsampleQuery, response: { 200: pointsOut, ...problems } },
    config: { access: 'telemetry:read' },
    handler: async (request) => {
      const { asset, tags } = await assetTags(scopeFor(request), request.params.id, request.query.tags);
      return downsampled(asset.siteId, tags, request.query);
    },
  });

  app.get('/api/v1/assets/:id/telemetry/latest', {
    schema: { tags: TAGS, summary: 'The asset and the latest value of each of its tags', params: idParams, querystring: latestQuery, response: { 200: latestOut.extend({ asset: assetOut }), ...problems } },
    config: { access: 'telemetry:read' },
    handler: async (request) => {
      const { asset, tags } = await assetTags(scopeFor(request), request.params.id, request.query.tags);
      const rows = tags.length === 0 ? [] : await telemetry.latest(asset.siteId, checkTags(tags));
      return { siteId: asset.siteId, assetId: asset.id, asset, values: rows.map(rowOut) };
    },
  });

  app.get('/api/v1/sites/:siteId/telemetry', {
    schema: { tags: TAGS, summary: 'Raw readings of some tags of a site', params: siteParams, querystring: siteRangeQuery, response: { 200: rowsOut, ...problems } },
    config: { access: 'telemetry:read' },
    handler: async (request) => {
      await registry.sites.require(scopeFor(request), request.params.siteId);
      return raw(request.params.siteId, parseTags(request.query.tags) ?? [], request.query);
    },
  });

  app.get('/api/v1/sites/:siteId/telemetry/downsampled', {
    schema: { tags: TAGS, summary: 'Some tags of a site aggregated per interval', params: siteParams, querystring: siteDownsampleQuery, response: { 200: pointsOut, ...problems } },
    config: { access: 'telemetry:read' },
    handler: async (request) => {
      await registry.sites.require(scopeFor(request), request.params.siteId);
      return downsampled(request.params.siteId, parseTags(request.query.tags) ?? [], request.query);
    },
  });

  app.get('/api/v1/sites/:siteId/telemetry/latest', {
    schema: { tags: TAGS, summary: 'The latest value of each tag of a site (or of the given tags)', params: siteParams, querystring: latestQuery, response: { 200: latestOut, ...problems } },
    config: { access: 'telemetry:read' },
    handler: async (request) => {
      await registry.sites.require(scopeFor(request), request.params.siteId);
      const tags = parseTags(request.query.tags);
      const rows = await telemetry.latest(request.params.siteId, tags === undefined ? undefined : checkTags(tags));
      if (rows.length > limits.maxRows) throw tooLarge(`the site has more than ${limits.maxRows} tags: ask for some (tags=...)`, limits.maxRows);
      return { siteId: request.params.siteId, assetId: null, values: rows.map(rowOut) };
    },
  });
}
