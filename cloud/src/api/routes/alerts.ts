import type { AlarmState, Severity } from '@dcmms/shared';
import type { RouteContext, ZApp } from '../context.js';
import { idParams, pageOf, problems, splitCsv, toMs } from '../schemas/common.js';
import { ackBody, alertActionOut, alertCountsOut, alertCountsQuery, alertDetailOut, alertEventOut, alertEventsQuery, alertListQuery, alertOut, commentBody, shelveBody } from '../schemas/alerts.js';
import { actorFor, found, pushDown, scopeFor } from './util.js';

const TAGS = ['alerts'];

export function alertRoutes(app: ZApp, ctx: RouteContext): void {
  const { registry } = ctx.deps;

  app.get('/api/v1/alerts', {
    schema: { tags: TAGS, summary: 'Alerts, newest raised first, filtered by site, asset, severity, state, time', querystring: alertListQuery, response: { 200: pageOf(alertOut), ...problems } },
    config: { access: 'alerts:read' },
    handler: async (request) => {
      const q = request.query;
      return registry.alerts.list(
        scopeFor(request),
        {
          siteId: q.siteId,
          assetId: q.assetId,
          severity: splitCsv<Severity>(q.severity),
          state: splitCsv<AlarmState>(q.state),
          active: q.active === undefined ? undefined : q.active === 'true',
          from: toMs(q.from) ?? undefined,
          to: toMs(q.to) ?? undefined,
        },
        { limit: q.limit, cursor: q.cursor },
      );
    },
  });

  app.get('/api/v1/alerts/counts', {
    schema: { tags: TAGS, summary: 'Alert counts by state and severity (dashboards)', querystring: alertCountsQuery, response: { 200: alertCountsOut, ...problems } },
    config: { access: 'alerts:read' },
    handler: async (request) => registry.alerts.counts(scopeFor(request), request.query),
  });

  app.get('/api/v1/alerts/:id', {
    schema: { tags: TAGS, summary: 'An alert with its newest events', params: idParams, response: { 200: alertDetailOut, ...problems } },
    config: { access: 'alerts:read' },
    handler: async (request) => {
      const scope = scopeFor(request);
      const alert = found(await registry.alerts.get(scope, request.params.id), 'alert', request.params.id);
      const events = await registry.alerts.events(scope, alert.id, { limit: 50 });
      return { ...alert, events: events.items };
    },
  });

  app.get('/api/v1/alerts/:id/events', {
    schema: { tags: TAGS, summary: 'The event history of an alert, newest first', params: idParams, querystring: alertEventsQuery, response: { 200: pageOf(alertEventOut), ...problems } },
    config: { access: 'alerts:read' },
    handler: async (request) => registry.alerts.events(scopeFor(request), request.params.id, request.query),
  });

  app.post('/api/v1/alerts/:id/acknowledge', {
    schema: { tags: TAGS, summary: 'Acknowledge an alert (sent down to the edge)', params: idParams, body: ackBody, response: { 200: alertActionOut, ...problems } },
    config: { access: 'alerts:ack' },
    handler: async (request) => {
      const { alert, downlink } = await registry.alerts.act(actorFor(request), scopeFor(request), request.params.id, 'acknowledge', request.body);
      return { alert, delivered: await pushDown(ctx, request, alert.siteId, 'alert-actions', downlink) };
    },
  });

  app.post('/api/v1/alerts/:id/shelve', {
    schema: { tags: TAGS, summary: 'Shelve an alert for a while (sent down to the edge)', params: idParams, body: shelveBody, response: { 200: alertActionOut, ...problems } },
    config: { access: 'alerts:shelve' },
    handler: async (request) => {
      const until = registry.clock.now() + request.body.durationSeconds * 1000;
      const { alert, downlink } = await registry.alerts.act(actorFor(request), scopeFor(request), request.params.id, 'shelve', { comment: request.body.comment, shelvedUntil: until });
      return { alert, delivered: await pushDown(ctx, request, alert.siteId, 'alert-actions', downlink) };
    },
  });

  app.post('/api/v1/alerts/:id/unshelve', {
    schema: { tags: TAGS, summary: 'End a shelve now (sent down to the edge)', params: idParams, body: ackBody, response: { 200: alertActionOut, ...problems } },
    config: { access: 'alerts:shelve' },
    handler: async (request) => {
      const { alert, downlink } = await registry.alerts.act(actorFor(request), scopeFor(request), request.params.id, 'unshelve', request.body);
      return { alert, delivered: await pushDown(ctx, request, alert.siteId, 'alert-actions', downlink) };
    },
  });

  app.post('/api/v1/alerts/:id/comments', {
    schema: { tags: TAGS, summary: 'Comment on an alert', params: idParams, body: commentBody, response: { 201: alertEventOut, ...problems } },
    config: { access: 'alerts:comment' },
    handler: async (request, reply) => reply.code(201).send(await registry.alerts.comment(actorFor(request), scopeFor(request), request.params.id, request.body.text)),
  });
}
