import { z } from 'zod';
import { tagNameSchema } from '@dcmms/shared';
import { epochMs, timeQuery } from './common.js';

export const AGGREGATES = ['avg', 'min', 'max', 'last', 'count'] as const;

const tagList = z.string().min(1).max(20_000).describe('comma-separated tag names');

export const rangeQuery = z.strictObject({
  from: timeQuery,
  to: timeQuery.describe('exclusive'),
  tags: tagList.optional().describe('comma-separated tags (default: every tag bound to the asset)'),
  limit: z.coerce.number().int().min(1).max(100_000).optional().describe('at most this many rows; more is an error'),
});

export const downsampleQuery = z.strictObject({
  from: timeQuery,
  to: timeQuery,
  tags: tagList.optional(),
  interval: z
    .string()
    .regex(/^\d{1,9}(ms|s|m|h|d)$/, 'expected a duration such as 500ms, 10s, 1m, 1h, 1d')
    .describe('bucket width: 500ms, 10s, 1m, 1h, 1d'),
  aggregate: z.enum(AGGREGATES).default('avg'),
});

export const latestQuery = z.strictObject({ tags: tagList.optional() });

export const siteRangeQuery = rangeQuery.extend({ tags: tagList });
export const siteDownsampleQuery = downsampleQuery.extend({ tags: tagList });

export const rowOut = z.object({
  tag: z.string(),
  asset: z.string().nullable(),
  ts: epochMs,
  value: z.number().nullable(),
  text: z.string().nullable(),
  quality: z.enum(['good', 'uncertain', 'bad']),
  receivedAt: epochMs,
});
export const rowsOut = z.object({ siteId: z.string(), from: epochMs, to: epochMs, rows: z.array(rowOut) });
export const pointsOut = z.object({
  siteId: z.string(),
  from: epochMs,
  to: epochMs,
  intervalMs: z.number().int(),
  aggregate: z.enum(AGGREGATES),
  points: z.array(z.object({ tag: z.string(), ts: epochMs, value: z.number().nullable() })),
});
export const latestOut = z.object({ siteId: z.string(), assetId: z.string().nullable(), values: z.array(rowOut) });

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export function intervalMs(s: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(s)!;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export function parseTags(s: string | undefined): string[] | undefined {
  if (s === undefined) return undefined;
  return [...new Set(s.split(',').map((t) => t.trim()).filter((t) => t.length > 0))];
}
export const tagOk = (t: string): boolean => tagNameSchema.safeParse(t).success;
