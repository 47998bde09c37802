import { z } from 'zod';
import { parseWith } from '@dcmms/shared';

/** Settings of the API service, validated once and frozen. Environment names: see fromEnv. */
export const apiOptionsSchema = z.strictObject({
  /** HMAC key for access tokens: at least 32 characters; the same on every replica. */
  jwtSecret: z.string().min(32),
  accessTokenTtlSeconds: z.number().int().min(30).max(24 * 3600).default(900),
  /** Origins allowed to call from a browser; empty: no cross-origin access. */
  corsOrigins: z.array(z.string().min(1)).default([]),
  /** Requests per window per credential (or per address when anonymous). */
  rateLimit: z.strictObject({ max: z.number().int().min(1), windowMs: z.number().int().min(1000) }).default({ max: 1200, windowMs: 60_000 }),
  /** Login attempts per window per address, and failed logins per username before a lockout. */
  loginRateLimit: z.strictObject({ max: z.number().int().min(1), windowMs: z.number().int().min(1000) }).default({ max: 30, windowMs: 60_000 }),
  loginLock: z.strictObject({ maxFailures: z.number().int().min(1), windowMs: z.number().int().min(1000) }).default({ maxFailures: 10, windowMs: 15 * 60_000 }),
  bodyLimitBytes: z.number().int().min(1024).default(1024 * 1024),
  /** Site configs are larger documents than anything else the API takes. */
  configBodyLimitBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
  trustProxy: z.boolean().default(false),
  docs: z.boolean().default(true),
  /** Per-request log lines (one per request, with its id). */
  logRequests: z.boolean().default(true),
  stream: z
    .strictObject({
      maxClients: z.number().int().min(1).default(200),
      maxPerPrincipal: z.number().int().min(1).default(5),
      alertPollMs: z.number().int().min(50).default(1000),
      latestPollMs: z.number().int().min(50).default(2000),
      heartbeatMs: z.number().int().min(100).default(15_000),
      /** A client that does not read is dropped once this much is waiting for it. */
      maxBufferedBytes: z.number().int().min(1024).default(1024 * 1024),
    })
    .prefault({}),
  telemetry: z
    .strictObject({
      /** Raw rows one query may return; asking for more is an error that says how to narrow it. */
      maxRows: z.number().int().min(1).default(10_000),
      /** Buckets (points per tag) of one downsampled query. */
      maxPoints: z.number().int().min(1).default(10_000),
      maxTags: z.number().int().min(1).default(200),
    })
    .prefault({}),
});
export type ApiOptions = z.output<typeof apiOptionsSchema>;
export type ApiOptionsInput = z.input<typeof apiOptionsSchema>;

export function parseApiOptions(input: ApiOptionsInput): ApiOptions {
  return Object.freeze(parseWith(apiOptionsSchema, input, 'API options'));
}

const int = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

/**
 * DCMMS_JWT_SECRET, DCMMS_ACCESS_TOKEN_TTL_SECONDS, DCMMS_CORS_ORIGINS (comma-separated),
 * DCMMS_RATE_LIMIT_MAX / DCMMS_RATE_LIMIT_WINDOW_MS, DCMMS_TRUST_PROXY, DCMMS_API_DOCS,
 * DCMMS_API_LOG_REQUESTS. The JWT secret may come from the registry instead (see main.ts).
 */
export function apiOptionsFromEnv(env: NodeJS.ProcessEnv, jwtSecret: string): ApiOptionsInput {
  const max = int(env['DCMMS_RATE_LIMIT_MAX']);
  const windowMs = int(env['DCMMS_RATE_LIMIT_WINDOW_MS']);
  return {
    jwtSecret,
    ...(int(env['DCMMS_ACCESS_TOKEN_TTL_SECONDS']) !== undefined ? { accessTokenTtlSeconds: int(env['DCMMS_ACCESS_TOKEN_TTL_SECONDS'])! } : {}),
    ...(env['DCMMS_CORS_ORIGINS'] ? { corsOrigins: env['DCMMS_CORS_ORIGINS'].split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(max !== undefined || windowMs !== undefined ? { rateLimit: { max: max ?? 1200, windowMs: windowMs ?? 60_000 } } : {}),
    ...(env['DCMMS_TRUST_PROXY'] !== undefined ? { trustProxy: env['DCMMS_TRUST_PROXY'] === 'true' } : {}),
    ...(env['DCMMS_API_DOCS'] !== undefined ? { docs: env['DCMMS_API_DOCS'] !== 'false' } : {}),
    ...(env['DCMMS_API_LOG_REQUESTS'] !== undefined ? { logRequests: env['DCMMS_API_LOG_REQUESTS'] !== 'false' } : {}),
  };
}
