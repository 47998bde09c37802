import { createHash, randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createMetricsRegistry, silentLogger } from '@dcmms/shared';
import { createLoginGuard } from './auth/login-guard.js';
import { authenticate } from './auth/principal.js';
import { createTokenService } from './auth/tokens.js';
import type { ApiDeps, RouteContext, ZApp } from './context.js';
import { ApiError } from './errors.js';
import { parseApiOptions, type ApiOptionsInput } from './options.js';
import { can } from './permissions.js';
import { createApiMetrics } from './plugins/metrics.js';
import { installProblemHandlers } from './problem.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { assetRoutes } from './routes/assets.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { siteRoutes } from './routes/sites.js';
import { streamRoutes } from './routes/stream.js';
import { telemetryRoutes } from './routes/telemetry.js';
import { workOrderRoutes } from './routes/workorders.js';
import { createStreamHub } from './stream/hub.js';

export const API_VERSION = '1.0.0';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The control-room API as a Fastify app, not listening: `main.ts` listens, tests use
 * `inject()`, the all-in-one demo embeds it. Closing the app stops its live streams; the
 * registry and the ports belong to the caller.
 */
export function buildApi(deps: ApiDeps, optionsInput: ApiOptionsInput): ZApp {
  const options = parseApiOptions(optionsInput);
  const log = deps.logger ?? silentLogger;
  const clock = deps.registry.clock;
  const metrics = createApiMetrics(deps.metrics ?? createMetricsRegistry({ prefix: 'dcmms_api_' }));
  const serverOptions: FastifyServerOptions = {
    loggerInstance: log,
    // Health probes and scrapes every few seconds would drown the request log.
    logController: new LogController({ requestIdLogLabel: 'reqId', disableRequestLogging: (req) => !options.logRequests || PROBES.has(req.url) }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    // A caller's request id is kept when it is sane, so one id follows a request across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  };
  const app = Fastify(serverOptions).withTypeProvider<ZodTypeProvider>() as unknown as ZApp;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);
  // JSON only: a text/plain body is a 415, not a string a schema then rejects for its type.
  app.removeContentTypeParser('text/plain');
  installProblemHandlers(app);

  const ctx: RouteContext = {
    deps,
    options,
    tokens: createTokenService(options.jwtSecret, options.accessTokenTtlSeconds, clock),
    loginGuard: createLoginGuard(clock, options.loginLock.maxFailures, options.loginLock.windowMs),
    hub: createStreamHub(deps.registry, deps.telemetry, options.stream, metrics, log.child({ component: 'stream' })),
    metrics,
  };
  // Before the server waits for in-flight requests: open streams would otherwise hold it forever.
  app.addHook('preClose', async () => ctx.hub.close());

  // Every API route says who may call it; a route that forgot is a start-up error, not an open door.
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const access = route.config?.access;
    if (url.startsWith('/api/') && access === undefined) throw new Error(`route ${route.method} ${url} declares no access`);
    if (url.startsWith('/api/') && access !== 'public' && route.schema) {
      route.schema = { ...route.schema, security: [{ bearer: [] }, { apiKey: [] }] };
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
  });

  void app.register(helmet, {
    // The API answers JSON, which a CSP does not protect; the docs UI sets its own (staticCSP).
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  void app.register(cors, {
    origin: options.corsOrigins.length > 0 ? options.corsOrigins : false,
    credentials: false,
    exposedHeaders: ['etag', 'x-request-id', 'retry-after', 'location'],
    allowedHeaders: ['authorization', 'content-type', 'if-match', 'x-api-key', 'x-request-id', 'last-event-id'],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
  void app.register(rateLimit, {
    global: true,
    max: options.rateLimit.max,
    timeWindow: options.rateLimit.windowMs,
    // Per credential when there is one (hashed: keys and tokens never sit in memory as keys), else per address.
    keyGenerator: (req) => {
      const cred = req.headers.authorization ?? req.headers['x-api-key'];
      return typeof cred === 'string' ? `c:${createHash('sha1').update(cred).digest('base64url').slice(0, 22)}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, context) => {
      const error = new ApiError('DCMMS_API_RATE_LIMITED', `rate limit of ${context.max} requests per ${context.after} reached`, {
        details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      });
      // @fastify/rate-limit throws what this returns; Fastify reads the status from it.
      return Object.assign(error, { statusCode: 429 });
    },
  });

  if (options.docs) {
    void app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'dCMMS control-room API',
          version: API_VERSION,
          description:
            'Sites, assets, telemetry, alerts and work orders. Timestamps are epoch milliseconds (UTC); lists use cursor pagination (`limit`, `cursor` -> `nextCursor`); errors are RFC 9457 problem+json with a stable `code`; versioned entities take `If-Match: "<version>"`.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'access token from POST /api/v1/auth/login' },
            apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'an API key (also accepted as Authorization: ApiKey <key>)' },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    void app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: true } });
  }

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    try {
      request.principal = await authenticate(request, ctx.tokens, deps.registry);
    } catch (err) {
      metrics.authFailures.inc({ reason: 'unauthenticated' });
      throw err;
    }
    if (access !== 'authenticated' && !can(request.principal, access)) {
      metrics.authFailures.inc({ reason: 'forbidden' });
      throw new ApiError('DCMMS_API_FORBIDDEN', `your role (${request.principal.role}${request.principal.sites ? ', limited to some sites' : ''}) may not do this (needs ${access})`, {
        details: { permission: access },
      });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  void app.register(async (api) => {
    const z = api as unknown as ZApp;
    healthRoutes(z, ctx);
    authRoutes(z, ctx);
    adminRoutes(z, ctx);
    siteRoutes(z, ctx);
    assetRoutes(z, ctx);
    telemetryRoutes(z, ctx);
    alertRoutes(z, ctx);
    workOrderRoutes(z, ctx);
    streamRoutes(z, ctx);
  });

  return app;
}
