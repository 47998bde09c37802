import { z } from 'zod';
import { describeError } from '@dcmms/shared';
import type { ReadinessCheck, RouteContext, ZApp } from '../context.js';

const CHECK_TIMEOUT_MS = 2000;

async function run(check: ReadinessCheck): Promise<{ name: string; ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { name: check.name, ok: true };
  } catch (err) {
    return { name: check.name, ok: false, error: describeError(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness (its stores answer) and Prometheus metrics; no credentials needed. */
export function healthRoutes(app: ZApp, ctx: RouteContext): void {
  const checks: ReadinessCheck[] = [
    { name: 'registry', check: () => ctx.deps.registry.ping() },
    // A latest-values query for a site that cannot exist: cheap on every store, and it proves the store answers.
    { name: 'telemetry', check: async () => void (await ctx.deps.telemetry.latest('readyz-probe', ['readyz'])) },
    ...(ctx.deps.readiness ?? []),
  ];
  const checkOut = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })) });

  app.get('/healthz', {
    schema: { tags: ['operations'], summary: 'Liveness: the process serves requests', response: { 200: z.object({ status: z.literal('ok') }) } },
    config: { access: 'public', rateLimit: false },
    logLevel: 'warn',
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    schema: { tags: ['operations'], summary: 'Readiness: the registry and the telemetry store answer', response: { 200: checkOut, 503: checkOut } },
    config: { access: 'public', rateLimit: false },
    logLevel: 'warn',
    handler: async (_request, reply) => {
      const results = await Promise.all(checks.map(run));
      const ok = results.every((r) => r.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: results });
    },
  });

  app.get('/metrics', {
    schema: { tags: ['operations'], summary: 'Prometheus metrics', response: { 200: z.string() } },
    config: { access: 'public', rateLimit: false },
    logLevel: 'warn',
    handler: async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).serializer((x: unknown) => String(x)).send(body);
    },
  });
}
