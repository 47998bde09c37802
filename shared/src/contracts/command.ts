import { z } from 'zod';
import { siteIdSchema, timestampMsSchema } from './ids.js';
import { numericValueSchema, tagNameSchema } from './reading.js';

/**
 * A command for the edge. Only writes to tags the site config marks `writable` are
 * carried out; everything else is refused with a result and logged.
 */
export const commandSchema = z.strictObject({
  id: z.uuid(),
  site: siteIdSchema,
  issuedAt: timestampMsSchema,
  /** A command that arrives after this is refused as expired, never carried out late. */
  expiresAt: timestampMsSchema,
  actor: z.string().min(1).max(128),
  action: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('write'), tag: tagNameSchema, value: z.union([numericValueSchema, z.boolean()]) }),
  ]),
});
export type Command = z.infer<typeof commandSchema>;

export const commandResultSchema = z.strictObject({
  commandId: z.uuid(),
  site: siteIdSchema,
  status: z.enum(['succeeded', 'rejected', 'failed', 'expired']),
  reason: z.string().max(2048).optional(),
  ts: timestampMsSchema,
});
export type CommandResult = z.infer<typeof commandResultSchema>;
