import { z } from 'zod';

/**
 * A site id appears in MQTT topics, Kafka keys and QuestDB symbols, so it is restricted to
 * characters that need no escaping anywhere: lowercase letters, digits and inner dashes.
 */
export const siteIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'expected 1-64 of a-z, 0-9 and inner "-"');
export type SiteId = z.infer<typeof siteIdSchema>;

/** Epoch milliseconds, integral, never negative. */
export const timestampMsSchema = z.number().int().min(0).max(8_640_000_000_000_000);

export const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
