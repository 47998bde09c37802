import { z } from 'zod';
import { seqSchema, siteIdSchema, timestampMsSchema } from './ids.js';
import { numericValueSchema, tagNameSchema } from './reading.js';

/** ISA-18.2 alarm states. */
export const alarmStateSchema = z.enum([
  'normal',
  'unacked_active',
  'acked_active',
  'unacked_rtn',
  'shelved',
  'out_of_service',
]);
export type AlarmState = z.infer<typeof alarmStateSchema>;

export const severitySchema = z.enum(['critical', 'high', 'medium', 'low']);
export type Severity = z.infer<typeof severitySchema>;

/** What happened to the alarm; the resulting state travels alongside. */
export const alertEventKindSchema = z.enum([
  'raised',
  'cleared',
  'acknowledged',
  'shelved',
  'unshelved',
  'removed_from_service',
  'returned_to_service',
]);
export type AlertEventKind = z.infer<typeof alertEventKindSchema>;

const idSchema = z.string().min(1).max(128).regex(/^[\w.:/-]+$/, 'expected letters, digits and _ . : / -');

/**
 * One transition of one alarm, journaled at the edge and synced up with priority.
 * Identity: `alertId` names the alarm point (rule and tag), `occurrence` counts its
 * activations (an ack names the occurrence it acknowledges), `eventSeq` is the per-site
 * alarm-event counter the cloud deduplicates on.
 */
export const alertEventSchema = z.strictObject({
  site: siteIdSchema,
  alertId: idSchema,
  occurrence: z.number().int().min(1),
  eventSeq: seqSchema,
  ts: timestampMsSchema,
  kind: alertEventKindSchema,
  state: alarmStateSchema,
  severity: severitySchema,
  ruleId: idSchema,
  tag: tagNameSchema.optional(),
  asset: z.string().max(128).optional(),
  value: z.union([numericValueSchema, z.boolean(), z.null()]).optional(),
  message: z.string().max(1024),
  /** Who acknowledged, shelved or took it out of service (a user, or `edge` for local actions). */
  actor: z.string().max(128).optional(),
  comment: z.string().max(2048).optional(),
  /** For `shelved`: when the shelve expires. */
  shelvedUntil: timestampMsSchema.optional(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

/** Operator actions made in the cloud, sent down to the edge that owns the alarm. */
export const alertActionSchema = z.strictObject({
  site: siteIdSchema,
  alertId: idSchema,
  /** The occurrence the operator saw: an action never applies to a newer occurrence. */
  occurrence: z.number().int().min(1),
  action: z.enum(['acknowledge', 'shelve', 'unshelve', 'remove_from_service', 'return_to_service']),
  actor: z.string().min(1).max(128),
  comment: z.string().max(2048).optional(),
  shelvedUntil: timestampMsSchema.optional(),
  ts: timestampMsSchema,
});
export type AlertAction = z.infer<typeof alertActionSchema>;
