import { z } from 'zod';
import type { WoPriority, WoState, WoType } from '../../registry/workorder-machine.js';
import type { RouteContext, ZApp } from '../context.js';
import { MANAGING_TRANSITIONS } from '../permissions.js';
import { etag, idParams, pageOf, pageQuery, problem, problems, splitCsv, toMs } from '../schemas/common.js';
import {
  labourCreateBody,
  labourOut,
  labourParams,
  partCreateBody,
  partOut,
  partParams,
  ruleCreateBody,
  ruleOut,
  rulePatchBody,
  taskCreateBody,
  taskOut,
  taskParams,
  taskPatchBody,
  transitionBody,
  transitionParams,
  woCommentBody,
  woCreateBody,
  woEventOut,
  woListQuery,
  woPatchBody,
  workOrderDetailOut,
  workOrderOut,
} from '../schemas/workorders.js';
import { actorFor, found, requirePermission, scopeFor, versionOf } from './util.js';

const TAGS = ['work orders'];

export function workOrderRoutes(app: ZApp, ctx: RouteContext): void {
  const wo = ctx.deps.registry.workOrders;

  app.get('/api/v1/workorders', {
    schema: { tags: TAGS, summary: 'Work orders, newest first, with filters', querystring: woListQuery, response: { 200: pageOf(workOrderOut), ...problems } },
    config: { access: 'workorders:read' },
    handler: async (request) => {
      const q = request.query;
      return wo.list(
        scopeFor(request),
        {
          siteId: q.siteId,
          assetId: q.assetId,
          state: splitCsv<WoState>(q.state),
          type: splitCsv<WoType>(q.type),
          priority: splitCsv<WoPriority>(q.priority),
          assigneeId: q.assigneeId,
          q: q.q,
          dueBefore: toMs(q.dueBefore) ?? undefined,
        },
        { limit: q.limit, cursor: q.cursor },
      );
    },
  });

  app.post('/api/v1/workorders', {
    schema: { tags: TAGS, summary: 'Create a work order (a draft, or open with submit: true)', body: woCreateBody, response: { 201: workOrderDetailOut, ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => {
      const created = await wo.create(actorFor(request), scopeFor(request), request.body);
      return reply.code(201).header('etag', etag(created.version)).header('location', `/api/v1/workorders/${created.id}`).send(created);
    },
  });

  app.get('/api/v1/workorders/:id', {
    schema: { tags: TAGS, summary: 'A work order with tasks, parts, labour and costs', params: idParams, response: { 200: workOrderDetailOut, ...problems } },
    config: { access: 'workorders:read' },
    handler: async (request, reply) => {
      const detail = found(await wo.get(scopeFor(request), request.params.id), 'work order', request.params.id);
      return reply.header('etag', etag(detail.version)).send(detail);
    },
  });

  app.patch('/api/v1/workorders/:id', {
    schema: { tags: TAGS, summary: 'Change a work order (needs If-Match or version; stale: 412)', params: idParams, body: woPatchBody, response: { 200: workOrderDetailOut, ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => {
      const { version, ...patch } = request.body;
      const updated = await wo.update(actorFor(request), scopeFor(request), request.params.id, patch, versionOf(request, version, true)!);
      return reply.header('etag', etag(updated.version)).send(updated);
    },
  });

  app.post('/api/v1/workorders/:id/transitions/:name', {
    schema: {
      tags: TAGS,
      summary: 'Move a work order through its states: submit, assign, start, hold, resume, complete, reopen, close, cancel',
      description: 'Refused with 409 (and the allowed transitions) when not allowed from the current state; assign, close and cancel need a supervisor.',
      params: transitionParams,
      body: transitionBody,
      response: { 200: workOrderDetailOut, 409: problem, ...problems },
    },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => {
      if (MANAGING_TRANSITIONS.has(request.params.name)) requirePermission(request, 'workorders:manage');
      const body = request.body ?? {};
      const updated = await wo.transition(actorFor(request), scopeFor(request), request.params.id, request.params.name, body, versionOf(request, body.version, true)!);
      return reply.header('etag', etag(updated.version)).send(updated);
    },
  });

  app.get('/api/v1/workorders/:id/history', {
    schema: { tags: TAGS, summary: 'Every event of a work order, oldest first', params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageOf(woEventOut), ...problems } },
    config: { access: 'workorders:read' },
    handler: async (request) => wo.history(scopeFor(request), request.params.id, request.query),
  });

  app.post('/api/v1/workorders/:id/comments', {
    schema: { tags: TAGS, summary: 'Comment on a work order', params: idParams, body: woCommentBody, response: { 201: woEventOut, ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => reply.code(201).send(await wo.comment(actorFor(request), scopeFor(request), request.params.id, request.body.text)),
  });

  app.post('/api/v1/workorders/:id/tasks', {
    schema: { tags: TAGS, summary: 'Add a checklist task', params: idParams, body: taskCreateBody, response: { 201: taskOut, ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => reply.code(201).send(await wo.addTask(actorFor(request), scopeFor(request), request.params.id, request.body.title)),
  });

  app.patch('/api/v1/workorders/:id/tasks/:taskId', {
    schema: { tags: TAGS, summary: 'Tick, untick or rename a task', params: taskParams, body: taskPatchBody, response: { 200: taskOut, ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request) => wo.updateTask(actorFor(request), scopeFor(request), request.params.id, request.params.taskId, request.body),
  });

  app.delete('/api/v1/workorders/:id/tasks/:taskId', {
    schema: { tags: TAGS, summary: 'Remove a task', params: taskParams, response: { 204: z.null(), ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => {
      await wo.deleteTask(actorFor(request), scopeFor(request), request.params.id, request.params.taskId);
      return reply.code(204).send(null);
    },
  });

  app.post('/api/v1/workorders/:id/parts', {
    schema: { tags: TAGS, summary: 'Record parts used (cost = quantity x unit cost)', params: idParams, body: partCreateBody, response: { 201: partOut, ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => reply.code(201).send(await wo.addPart(actorFor(request), scopeFor(request), request.params.id, request.body)),
  });

  app.delete('/api/v1/workorders/:id/parts/:partId', {
    schema: { tags: TAGS, summary: 'Remove a parts line', params: partParams, response: { 204: z.null(), ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => {
      await wo.deletePart(actorFor(request), scopeFor(request), request.params.id, request.params.partId);
      return reply.code(204).send(null);
    },
  });

  app.post('/api/v1/workorders/:id/labour', {
    schema: { tags: TAGS, summary: 'Record labour (cost = minutes x hourly rate / 60)', params: idParams, body: labourCreateBody, response: { 201: labourOut, ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => reply.code(201).send(await wo.addLabour(actorFor(request), scopeFor(request), request.params.id, request.body)),
  });

  app.delete('/api/v1/workorders/:id/labour/:labourId', {
    schema: { tags: TAGS, summary: 'Remove a labour line', params: labourParams, response: { 204: z.null(), ...problems } },
    config: { access: 'workorders:write' },
    handler: async (request, reply) => {
      await wo.deleteLabour(actorFor(request), scopeFor(request), request.params.id, request.params.labourId);
      return reply.code(204).send(null);
    },
  });

  const RULE_TAGS = ['work order rules'];
  app.get('/api/v1/workorder-rules', {
    schema: { tags: RULE_TAGS, summary: 'Rules that open work orders for alerts', querystring: z.strictObject(pageQuery), response: { 200: pageOf(ruleOut), ...problems } },
    config: { access: 'workorder-rules:read' },
    handler: async (request) => wo.rules.list(scopeFor(request), request.query),
  });

  app.post('/api/v1/workorder-rules', {
    schema: { tags: RULE_TAGS, summary: 'Add a rule: alerts matching it (site, asset kind, alert rule, severity) open a work order, one per asset and alert rule while open', body: ruleCreateBody, response: { 201: ruleOut, ...problems } },
    config: { access: 'workorder-rules:write' },
    handler: async (request, reply) => reply.code(201).send(await wo.rules.create(actorFor(request), scopeFor(request), request.body)),
  });

  app.patch('/api/v1/workorder-rules/:id', {
    schema: { tags: RULE_TAGS, summary: 'Change or disable a rule', params: idParams, body: rulePatchBody, response: { 200: ruleOut, ...problems } },
    config: { access: 'workorder-rules:write' },
    handler: async (request) => wo.rules.update(actorFor(request), scopeFor(request), request.params.id, request.body),
  });

  app.delete('/api/v1/workorder-rules/:id', {
    schema: { tags: RULE_TAGS, summary: 'Delete a rule', params: idParams, response: { 204: z.null(), ...problems } },
    config: { access: 'workorder-rules:write' },
    handler: async (request, reply) => {
      await wo.rules.delete(actorFor(request), scopeFor(request), request.params.id);
      return reply.code(204).send(null);
    },
  });
}
