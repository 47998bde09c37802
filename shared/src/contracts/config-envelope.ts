import { z } from 'zod';
import { siteIdSchema, timestampMsSchema } from './ids.js';

/**
 * A versioned site configuration as it travels down to the edge. The body's schema is the
 * site-config schema; it is a parameter here so the envelope does not depend on it.
 */
export function configEnvelopeSchema<B extends z.ZodType>(body: B) {
  return z.strictObject({
    site: siteIdSchema,
    version: z.number().int().min(1),
    issuedAt: timestampMsSchema,
    body,
  });
}
export const anyConfigEnvelopeSchema = configEnvelopeSchema(z.unknown());
export type ConfigEnvelope<B = unknown> = Omit<z.infer<typeof anyConfigEnvelopeSchema>, 'body'> & { body: B };

/** The edge's answer to a config: applied atomically, or rejected with the reason. */
export const configResultSchema = z.strictObject({
  site: siteIdSchema,
  version: z.number().int().min(1),
  status: z.enum(['applied', 'rejected']),
  reason: z.string().max(8192).optional(),
  ts: timestampMsSchema,
});
export type ConfigResult = z.infer<typeof configResultSchema>;
