import { z } from 'zod';
import { seqSchema, siteIdSchema, timestampMsSchema } from './ids.js';

export const gapReasonSchema = z.enum([
  /** The buffer reached its byte limit and dropped its oldest telemetry. */
  'buffer_bytes_limit',
  /** Telemetry older than the retention age was dropped before it was acknowledged. */
  'buffer_age_limit',
  /** The disk was full; readings of that window were never committed. */
  'disk_full',
  /** Readings arrived faster than the buffer could commit them and were shed. */
  'overload',
]);
export type GapReason = z.infer<typeof gapReasonSchema>;

/**
 * An explicit record of data the edge lost, so the cloud can prove completeness instead of
 * guessing from silence. Alarms are never dropped, so `what` is telemetry only.
 */
export const gapRecordSchema = z
  .strictObject({
    site: siteIdSchema,
    what: z.literal('telemetry'),
    reason: gapReasonSchema,
    /** Inclusive range of the dropped batches' seq; null when nothing had been given a seq. */
    seqFrom: seqSchema.nullable(),
    seqTo: seqSchema.nullable(),
    fromTs: timestampMsSchema,
    toTs: timestampMsSchema,
    batches: z.number().int().min(0),
    readings: z.number().int().min(0),
    detectedAt: timestampMsSchema,
  })
  .refine((g) => (g.seqFrom === null) === (g.seqTo === null), { message: 'seqFrom and seqTo are both set or both null', path: ['seqTo'] })
  .refine((g) => g.seqFrom === null || g.seqTo === null || g.seqFrom <= g.seqTo, { message: 'seqFrom must be <= seqTo', path: ['seqTo'] })
  .refine((g) => g.fromTs <= g.toTs, { message: 'fromTs must be <= toTs', path: ['toTs'] });
export type GapRecord = z.infer<typeof gapRecordSchema>;
