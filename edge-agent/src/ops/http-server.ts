import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '@dcmms/shared';

/** What the local HTTP endpoints ask; the agent provides it (or main, while the buffer cannot open yet). */
export interface OpsSource {
  readonly registry: Registry;
  readiness(): { ready: boolean; reasons: string[] };
  status(): unknown;
}

/**
 * Local operations endpoints: /healthz (the process answers: liveness), /readyz (the buffer
 * and journal can write: readiness, with the reasons when not), /metrics (Prometheus) and
 * /status (JSON for people and the CLI). Bound to the site's http settings by main.
 */
export function createOpsServer(source: () => OpsSource, logger?: Logger): FastifyInstance {
  const app = Fastify({ logger: false, disableRequestLogging: true });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = source().readiness();
    return reply.code(r.ready ? 200 : 503).send(r.ready ? { status: 'ready' } : { status: 'not ready', reasons: r.reasons });
  });
  app.get('/metrics', async (_req, reply) => {
    const registry = source().registry;
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
  app.get('/status', async () => source().status());
  app.setErrorHandler((err, _req, reply) => {
    logger?.error({ err }, 'ops endpoint failed');
    void reply.code(500).send({ status: 'error', message: err instanceof Error ? err.message : String(err) });
  });
  return app;
}
