import { z } from 'zod';
import { seqSchema, siteIdSchema, timestampMsSchema } from './ids.js';

/**
 * Published retained on `dcmms/v1/{site}/status`; the last will is the same shape with
 * `state: 'offline'`, so the cloud always has the site's latest word.
 */
export const siteStatusSchema = z.strictObject({
  site: siteIdSchema,
  state: z.enum(['online', 'offline']),
  ts: timestampMsSchema,
  agentVersion: z.string().max(64).optional(),
  appliedConfigVersion: z.number().int().min(0).nullable(),
  buffer: z
    .strictObject({
      batches: z.number().int().min(0),
      readings: z.number().int().min(0),
      bytes: z.number().int().min(0),
      oldestTs: timestampMsSchema.nullable(),
      /** Highest seq committed and highest acknowledged by the cloud. */
      lastSeq: seqSchema.nullable(),
      ackedSeq: seqSchema.nullable(),
    })
    .optional(),
  devices: z
    .array(z.strictObject({ id: z.string().max(128), state: z.enum(['connected', 'connecting', 'disconnected', 'failed']) }))
    .max(1024)
    .optional(),
});
export type SiteStatus = z.infer<typeof siteStatusSchema>;
