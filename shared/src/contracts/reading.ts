import { z } from 'zod';
import { LIMITS } from './limits.js';
import { timestampMsSchema } from './ids.js';

// Control characters would break log lines and ILP; lone surrogates cannot round-trip UTF-8.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Well-formed unicode without control characters: what tag names and reasons must be. */
export const isCleanText = (s: string): boolean => s.isWellFormed() && !CONTROL.test(s);
const wellFormed = isCleanText;

export const tagNameSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxTagLength)
  .refine(wellFormed, 'expected well-formed unicode without control characters');

export const qualitySchema = z.enum(['good', 'uncertain', 'bad']);
export type Quality = z.infer<typeof qualitySchema>;

/**
 * Numbers are IEEE doubles as the device produced them. Policy for the non-finite ones: a
 * float32/float64 register can hold NaN or +-Infinity (sensor fault patterns), and we carry
 * what the device said; NaN is canonicalised (its payload is not kept), -0 is kept. The
 * stores map non-finite values to null, and the adapters mark them `uncertain`.
 */
export const numericValueSchema = z.union([z.number(), z.nan(), z.literal(Infinity), z.literal(-Infinity)]);

/** `null` when there is no value to report (a failed poll: quality `bad`). */
export const readingValueSchema = z.union([
  numericValueSchema,
  z.boolean(),
  z.string().max(LIMITS.maxStringValueLength).refine((s) => s.isWellFormed(), 'expected well-formed unicode'),
  z.null(),
]);
export type ReadingValue = number | boolean | string | null;

/**
 * One value of one tag at its source timestamp. A failed read is a `bad` reading with a
 * reason (`timeout`, `exception:2`, `BadNodeIdUnknown`), never an old value stamped as new.
 */
export const readingSchema = z.strictObject({
  tag: tagNameSchema,
  ts: timestampMsSchema,
  value: readingValueSchema,
  quality: qualitySchema,
  reason: z.string().max(LIMITS.maxReasonLength).refine(wellFormed, 'expected well-formed unicode without control characters').optional(),
});
export type Reading = z.infer<typeof readingSchema>;
