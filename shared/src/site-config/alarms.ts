import { z } from 'zod';
import { severitySchema } from '../contracts/alert.js';
import { tagNameSchema } from '../contracts/reading.js';
import { deviceNameSchema } from './devices.js';

/**
 * Alarm rules, evaluated at the edge on every reading (and on a clock for stale data, device
 * communication loss and shelve expiry). A rule is one alarm point, except a threshold rule,
 * which is one point per limit it sets (`<id>:hihi`, `<id>:hi`, `<id>:lo`, `<id>:lolo`), as
 * ISA-18.2 treats HI and HIHI as separate alarms.
 */

/** Room is left for the `:hihi` suffix within the alert id's 128 characters. */
export const alarmRuleIdSchema = z
  .string()
  .min(1)
  .max(96)
  .regex(/^[\w.-]+$/, 'expected letters, digits, "_", "." and "-"');

const delayMs = z.number().int().min(0).max(86_400_000);

const common = {
  id: alarmRuleIdSchema,
  enabled: z.boolean().default(true),
  severity: severitySchema.default('medium'),
  /** Shown to operators; the tag, value and limit are added by the engine. */
  message: z.string().max(512).optional(),
  /** The condition must hold this long before the alarm activates. */
  onDelayMs: delayMs.default(0),
  /** ...and be gone this long before it clears (suppresses chattering). */
  offDelayMs: delayMs.default(0),
};

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
/** A limit, with a severity of its own if it differs from the rule's (HIHI critical, HI high...). */
export const alarmLimitSchema = z.union([finite, z.strictObject({ value: finite, severity: severitySchema.optional() })]);
export type AlarmLimit = z.output<typeof alarmLimitSchema>;

export const thresholdLevels = ['hihi', 'hi', 'lo', 'lolo'] as const;
export type ThresholdLevel = (typeof thresholdLevels)[number];

export const thresholdRuleSchema = z.strictObject({
  type: z.literal('threshold'),
  ...common,
  tag: tagNameSchema,
  hihi: alarmLimitSchema.optional(),
  hi: alarmLimitSchema.optional(),
  lo: alarmLimitSchema.optional(),
  lolo: alarmLimitSchema.optional(),
  /** Hysteresis: a high alarm clears below limit - deadband, a low one above limit + deadband. */
  deadband: z.number().min(0).refine(Number.isFinite, 'expected a finite number').default(0),
});

export const rateOfChangeRuleSchema = z.strictObject({
  type: z.literal('rate_of_change'),
  ...common,
  tag: tagNameSchema,
  /** Absolute change per second between consecutive readings above which the alarm is active. */
  maxPerSecond: z.number().positive().refine(Number.isFinite, 'expected a finite number'),
  deadband: z.number().min(0).refine(Number.isFinite, 'expected a finite number').default(0),
});

export const staleRuleSchema = z.strictObject({
  type: z.literal('stale'),
  ...common,
  tag: tagNameSchema,
  /** No reading with a value (good or uncertain) for this long. */
  afterMs: z.number().int().min(100).max(86_400_000 * 7),
});

export const commLossRuleSchema = z.strictObject({
  type: z.literal('comm_loss'),
  ...common,
  device: deviceNameSchema,
  /** The device not connected for this long. */
  afterMs: z.number().int().min(0).max(86_400_000).default(10_000),
});

export const tripRuleSchema = z.strictObject({
  type: z.literal('trip'),
  ...common,
  tag: tagNameSchema,
  /** The value that means "tripped" (a number counts as true when non-zero). */
  activeWhen: z.boolean().default(true),
});

export const qualityBadRuleSchema = z.strictObject({
  type: z.literal('quality_bad'),
  ...common,
  tag: tagNameSchema,
});

export const alarmRuleSchema = z
  .discriminatedUnion('type', [thresholdRuleSchema, rateOfChangeRuleSchema, staleRuleSchema, commLossRuleSchema, tripRuleSchema, qualityBadRuleSchema])
  .superRefine((rule, ctx) => {
    if (rule.type !== 'threshold') return;
    const set = thresholdLevels.filter((l) => rule[l] !== undefined);
    if (set.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['hi'], message: 'expected at least one of hihi, hi, lo, lolo' });
      return;
    }
    // Strictly increasing from lolo to hihi, whichever are set.
    const ordered = [...set].reverse();
    for (let i = 1; i < ordered.length; i++) {
      const lower = ordered[i - 1]!;
      const upper = ordered[i]!;
      if (limitValue(rule[upper]!) <= limitValue(rule[lower]!)) {
        ctx.addIssue({ code: 'custom', path: [upper], message: `expected ${upper} above ${lower} (${limitValue(rule[lower]!)})` });
      }
    }
  });
export type AlarmRule = z.output<typeof alarmRuleSchema>;
export type AlarmRuleInput = z.input<typeof alarmRuleSchema>;
export type ThresholdRule = z.output<typeof thresholdRuleSchema>;

export const limitValue = (limit: AlarmLimit): number => (typeof limit === 'number' ? limit : limit.value);
export const limitSeverity = (limit: AlarmLimit): z.output<typeof severitySchema> | undefined => (typeof limit === 'number' ? undefined : limit.severity);
