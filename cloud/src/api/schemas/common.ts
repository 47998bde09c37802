import { z } from 'zod';
import { isCleanText, siteIdSchema } from '@dcmms/shared';

/**
 * Building blocks of the route schemas. Inputs are strict (unknown fields are an error) and
 * bounded (every string, array and map has a maximum), outputs are plain objects (unknown
 * fields are stripped on the way out, so nothing leaks by accident).
 */
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'expected a UUID (lowercase hex)');
export const siteId = siteIdSchema;

/** A name or label: one line, no control characters. */
export const label = (max = 200) => z.string().min(1).max(max).refine(isCleanText, 'expected text without control characters');
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const PROSE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Free text (descriptions, comments): newlines and tabs allowed; no other control characters (PostgreSQL refuses NUL). */
export const prose = (max = 10_000) =>
  z
    .string()
    .max(max)
    .refine((s) => s.isWellFormed() && !PROSE_CONTROL.test(s), 'expected well-formed text without control characters other than tab and newline');

/** Text to search for, or to match exactly in a filter: one line, no control characters. */
export const searchText = (max = 100) => z.string().min(1).max(max).refine(isCleanText, 'expected text without control characters');

/** Epoch milliseconds (UTC). Every timestamp the API returns is one of these. */
export const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

/** A time in a query string: epoch milliseconds or ISO 8601 with an offset. */
export const timeQuery = z
  .string()
  .max(40)
  .refine((s) => toMs(s) !== null, 'expected epoch milliseconds or an ISO 8601 date-time with offset (2026-03-01T08:00:00Z)')
  .describe('epoch milliseconds or ISO 8601 date-time');

export function toMs(s: string | undefined): number | null {
  if (s === undefined) return null;
  if (/^\d{1,16}$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** A comma-separated list of enum values in a query string (`state=unacked_active,acked_active`). */
export function csvOf<T extends string>(values: readonly T[]) {
  const alt = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return z.string().max(1000).regex(new RegExp(`^(?:${alt})(?:,(?:${alt}))*$`), `expected a comma-separated list of: ${values.join(', ')}`);
}
export const splitCsv = <T extends string>(s: string | undefined): T[] | undefined => (s === undefined ? undefined : ([...new Set(s.split(','))] as T[]));

export const booleanQuery = z.enum(['true', 'false']);

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('items per page (1-200)'),
  cursor: z.string().min(1).max(512).optional().describe('nextCursor of the previous page'),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null at the end') });

/** Free-form key/value metadata, bounded in keys and size. */
export const metadata = z
  .record(label(64), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
  .describe('flat key/value metadata (at most 50 keys)');

export const location = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export const locationOut = z.object({ lat: z.number(), lon: z.number() });

export const problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ in: z.string(), path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** The error responses every authenticated route may give, for the OpenAPI document. */
export const problems = {
  400: problem,
  401: problem,
  403: problem,
  404: problem,
  422: problem,
  429: problem,
} as const;

export const idParams = z.strictObject({ id: uuid });
export const siteParams = z.strictObject({ siteId });

/** `If-Match: "3"` (or W/"3"), or null when absent. */
export function ifMatchVersion(header: string | string[] | undefined): number | null | 'invalid' {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(value ?? '');
  return m ? Number(m[1]) : 'invalid';
}

export const etag = (version: number): string => `"${version}"`;
