import { z } from 'zod';
import { alarmStateSchema, severitySchema } from '@dcmms/shared';
import { booleanQuery, csvOf, epochMs, pageQuery, prose, siteId, timeQuery, uuid } from './common.js';

export const alertOut = z
  .object({
    id: z.string(),
    siteId: z.string(),
    alertKey: z.string().describe("the edge's alarm point id (rule and tag)"),
    occurrence: z.number().int(),
    ruleId: z.string(),
    tag: z.string().nullable(),
    assetId: z.string().nullable(),
    severity: severitySchema,
    state: alarmStateSchema,
    active: z.boolean(),
    message: z.string(),
    value: z.union([z.number(), z.boolean()]).nullable(),
    raisedAt: epochMs,
    clearedAt: epochMs.nullable(),
    ackedAt: epochMs.nullable(),
    ackedBy: z.string().nullable(),
    shelvedUntil: epochMs.nullable(),
    lastEventAt: epochMs,
    updatedAt: epochMs,
    revision: z.number().int(),
    workOrderId: z.string().nullable(),
  })
  .meta({ id: 'Alert' });

export const alertEventOut = z
  .object({
    id: z.string(),
    kind: z.string(),
    state: alarmStateSchema,
    ts: epochMs,
    eventSeq: z.number().int().nullable(),
    source: z.enum(['edge', 'cloud']),
    actor: z.string().nullable(),
    comment: z.string().nullable(),
    message: z.string().nullable(),
    value: z.union([z.number(), z.boolean()]).nullable(),
    shelvedUntil: epochMs.nullable(),
    recordedAt: epochMs,
  })
  .meta({ id: 'AlertEvent' });

export const alertDetailOut = alertOut.extend({ events: z.array(alertEventOut).describe('the 50 newest events; older ones: /events') });

export const alertListQuery = z.strictObject({
  ...pageQuery,
  siteId: siteId.optional(),
  assetId: uuid.optional(),
  severity: csvOf(severitySchema.options).optional(),
  state: csvOf(alarmStateSchema.options).optional(),
  active: booleanQuery.optional(),
  from: timeQuery.optional().describe('raised at or after'),
  to: timeQuery.optional().describe('raised before'),
});

export const alertCountsQuery = z.strictObject({ siteId: siteId.optional(), assetId: uuid.optional() });
export const alertCountsOut = z.object({
  total: z.number().int(),
  activeUnacked: z.number().int(),
  byState: z.record(alarmStateSchema, z.number().int()),
  bySeverity: z.record(severitySchema, z.number().int()),
});

export const ackBody = z.strictObject({ comment: prose(2000).optional() });
export const shelveBody = z.strictObject({
  durationSeconds: z.number().int().min(60).max(7 * 24 * 3600).describe('the shelve ends after this (1 minute to 7 days)'),
  comment: prose(2000).optional(),
});
export const commentBody = z.strictObject({ text: prose(4000).refine((s) => s.trim().length > 0, 'expected some text') });
export const alertActionOut = z.object({ alert: alertOut, delivered: z.boolean().describe('whether the action reached the downlink to the edge') });
export const alertEventsQuery = z.strictObject({ ...pageQuery });
