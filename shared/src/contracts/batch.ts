import { z } from 'zod';
import { LIMITS } from './limits.js';
import { seqSchema, siteIdSchema, timestampMsSchema } from './ids.js';
import { readingSchema } from './reading.js';

/** Which uplink lane carried the batch: a transport detail, completeness is by (site, seq). */
export const streamSchema = z.enum(['live', 'backfill']);
export type Stream = z.infer<typeof streamSchema>;

/**
 * What the edge commits to its buffer every <= 250 ms and sends as one MQTT message.
 * `seq` comes from one contiguous counter per site, given once at commit, so it increases
 * within each stream too; `createdAt` is the edge commit time (for lag and latency figures).
 */
export const telemetryBatchSchema = z.strictObject({
  site: siteIdSchema,
  stream: streamSchema,
  seq: seqSchema,
  createdAt: timestampMsSchema,
  readings: z.array(readingSchema).max(LIMITS.maxReadingsPerBatch),
});
export type TelemetryBatch = z.infer<typeof telemetryBatchSchema>;
