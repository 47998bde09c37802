import { z } from 'zod';
import { severitySchema } from '@dcmms/shared';
import { WO_PRIORITIES, WO_STATES, WO_TRANSITION_NAMES, WO_TYPES } from '../../registry/workorder-machine.js';
import { csvOf, epochMs, label, pageQuery, prose, searchText, siteId, timeQuery, uuid } from './common.js';

const woFields = {
  id: z.string(),
  number: z.string().describe('WO-<year>-<sequence>, unique per tenant'),
  siteId: z.string(),
  assetId: z.string().nullable(),
  alertId: z.string().nullable(),
  ruleId: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  type: z.enum(WO_TYPES),
  priority: z.enum(WO_PRIORITIES),
  state: z.enum(WO_STATES),
  resolution: z.string().nullable(),
  assigneeId: z.string().nullable(),
  dueAt: epochMs.nullable(),
  createdBy: z.string(),
  createdAt: epochMs,
  updatedAt: epochMs,
  version: z.number().int().describe('send it back as If-Match (or `version`) with every change'),
  allowedTransitions: z.array(z.enum(WO_TRANSITION_NAMES)),
};
export const workOrderOut = z.object(woFields).meta({ id: 'WorkOrder' });

export const taskOut = z.object({ id: z.string(), position: z.number().int(), title: z.string(), done: z.boolean(), doneBy: z.string().nullable(), doneAt: epochMs.nullable() }).meta({ id: 'WorkOrderTask' });
export const partOut = z
  .object({ id: z.string(), partNumber: z.string(), description: z.string(), quantity: z.number().int(), unitCostCents: z.number().int(), costCents: z.number().int(), createdAt: epochMs })
  .meta({ id: 'WorkOrderPart' });
export const labourOut = z
  .object({ id: z.string(), technician: z.string(), minutes: z.number().int(), rateCentsPerHour: z.number().int(), costCents: z.number().int(), note: z.string(), performedAt: epochMs })
  .meta({ id: 'WorkOrderLabour' });
export const workOrderDetailOut = z
  .object({
    ...woFields,
    tasks: z.array(taskOut),
    parts: z.array(partOut),
    labour: z.array(labourOut),
    costs: z.object({ partsCents: z.number().int(), labourCents: z.number().int(), totalCents: z.number().int() }),
  })
  .meta({ id: 'WorkOrderDetail' });

export const woEventOut = z
  .object({
    id: z.string(),
    at: epochMs,
    actor: z.object({ id: z.string(), name: z.string() }),
    kind: z.string(),
    fromState: z.enum(WO_STATES).nullable(),
    toState: z.enum(WO_STATES).nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'WorkOrderEvent' });

export const woCreateBody = z.strictObject({
  siteId,
  assetId: uuid.nullable().optional(),
  alertId: uuid.nullable().optional(),
  title: label(200),
  description: prose(10_000).optional(),
  type: z.enum(WO_TYPES),
  priority: z.enum(WO_PRIORITIES),
  assigneeId: uuid.nullable().optional().describe('recorded now; the assign transition makes it effective'),
  dueAt: epochMs.nullable().optional(),
  tasks: z.array(label(500)).max(200).optional(),
  submit: z.boolean().optional().describe('create it open instead of as a draft'),
});

export const woPatchBody = z.strictObject({
  title: label(200).optional(),
  description: prose(10_000).optional(),
  type: z.enum(WO_TYPES).optional(),
  priority: z.enum(WO_PRIORITIES).optional(),
  dueAt: epochMs.nullable().optional(),
  assetId: uuid.nullable().optional(),
  version: z.number().int().min(1).optional(),
});

export const woListQuery = z.strictObject({
  ...pageQuery,
  siteId: siteId.optional(),
  assetId: uuid.optional(),
  state: csvOf(WO_STATES).optional(),
  type: csvOf(WO_TYPES).optional(),
  priority: csvOf(WO_PRIORITIES).optional(),
  assigneeId: uuid.optional(),
  q: searchText().optional(),
  dueBefore: timeQuery.optional(),
});

export const transitionParams = z.strictObject({ id: uuid, name: z.enum(WO_TRANSITION_NAMES) });
export const transitionBody = z
  .strictObject({
    assigneeId: uuid.optional().describe('for assign'),
    comment: prose(2000).optional(),
    version: z.number().int().min(1).optional(),
  })
  .default({});

export const taskCreateBody = z.strictObject({ title: label(500) });
export const taskPatchBody = z.strictObject({ title: label(500).optional(), done: z.boolean().optional() });
export const taskParams = z.strictObject({ id: uuid, taskId: uuid });
export const partCreateBody = z.strictObject({
  partNumber: label(100),
  description: prose(1000).optional(),
  quantity: z.number().int().min(1).max(1_000_000),
  unitCostCents: z.number().int().min(0).max(1_000_000_000_00),
});
export const partParams = z.strictObject({ id: uuid, partId: uuid });
export const labourCreateBody = z.strictObject({
  technician: label(128),
  minutes: z.number().int().min(1).max(24 * 60 * 31),
  rateCentsPerHour: z.number().int().min(0).max(100_000_00),
  note: prose(2000).optional(),
  performedAt: epochMs.optional(),
});
export const labourParams = z.strictObject({ id: uuid, labourId: uuid });
export const woCommentBody = z.strictObject({ text: prose(4000).refine((s) => s.trim().length > 0, 'expected some text') });

export const ruleOut = z
  .object({
    id: z.string(),
    name: z.string(),
    siteId: z.string().nullable(),
    assetKind: z.string().nullable(),
    alertRuleId: z.string().nullable(),
    minSeverity: severitySchema,
    woType: z.enum(WO_TYPES),
    woPriority: z.enum(WO_PRIORITIES),
    enabled: z.boolean(),
    createdAt: epochMs,
  })
  .meta({ id: 'WorkOrderRule' });
export const ruleCreateBody = z.strictObject({
  name: label(128),
  siteId: siteId.nullable().default(null).describe('only alerts of this site (null: any)'),
  assetKind: label(64).nullable().default(null).describe('only alerts on assets of this kind (null: any)'),
  alertRuleId: label(128).nullable().default(null).describe("only this edge alert rule (null: any)"),
  minSeverity: severitySchema.default('critical'),
  woType: z.enum(WO_TYPES).default('corrective'),
  woPriority: z.enum(WO_PRIORITIES).default('urgent'),
  enabled: z.boolean().default(true),
});
export const rulePatchBody = z.strictObject({
  name: label(128).optional(),
  siteId: siteId.nullable().optional(),
  assetKind: label(64).nullable().optional(),
  alertRuleId: label(128).nullable().optional(),
  minSeverity: severitySchema.optional(),
  woType: z.enum(WO_TYPES).optional(),
  woPriority: z.enum(WO_PRIORITIES).optional(),
  enabled: z.boolean().optional(),
});
