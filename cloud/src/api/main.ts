import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createLogger, createMetricsRegistry, describeError } from '@dcmms/shared';
import { migrateToLatest, openRegistryDatabase } from '../db/index.js';
import { createKafkaDownlink, DownlinkError } from '../downlink/index.js';
import { boolSchema, brokersSchema, portSchema, readEnv, stopSignal } from '../ingest/env.js';
import { createEventLog } from '../kafka/index.js';
import { createSqlCompletenessLedger } from '../ledger/index.js';
import type { DownlinkPublisher } from '../ports/downlink.js';
import type { TelemetryStore } from '../ports/telemetry-store.js';
import { bootstrapAdmin, createRegistry } from '../registry/index.js';
import { createQuestDbTelemetryStore, createSqliteTelemetryStore } from '../stores/telemetry/index.js';
import { buildApi } from './app.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { apiOptionsFromEnv } from './options.js';

export const HELP = `Usage: dcmms-cloud api [--help]

The control-room REST API (OpenAPI at /docs): sites, assets, telemetry, alerts, work orders,
users and tenants over the registry (PostgreSQL, or SQLite), telemetry from QuestDB (or a
SQLite file), downlink to edges through Kafka. Runs migrations at start-up and creates the
first admin on an empty registry.

  DATABASE_URL               registry: postgres://... or sqlite:<file>          (required)
  QUESTDB_HTTP, QUESTDB_PG   telemetry in QuestDB (both, or TELEMETRY_SQLITE)
  TELEMETRY_SQLITE           telemetry in a SQLite file instead
  QUESTDB_TABLE [telemetry]
  KAFKA_BROKERS              host:port[,...] for the downlink (edge.downlink)   (required unless DCMMS_DOWNLINK=disabled)
  DCMMS_DOWNLINK [kafka]     kafka | disabled (changes are stored, delivered: false)
  DCMMS_API_HOST [0.0.0.0]   DCMMS_API_PORT [8080]
  DCMMS_JWT_SECRET           token signing key, >= 32 chars (default: generated once, kept in the registry)
  DCMMS_ACCESS_TOKEN_TTL_SECONDS [900]
  DCMMS_ADMIN_USER [admin]   DCMMS_ADMIN_PASSWORD (default: generated, printed once on stderr)
  DCMMS_TENANT_NAME [default]
  DCMMS_CORS_ORIGINS         comma-separated origins allowed from browsers (default: none)
  DCMMS_RATE_LIMIT_MAX [1200] DCMMS_RATE_LIMIT_WINDOW_MS [60000]   per credential or address
  DCMMS_TRUST_PROXY [false]  DCMMS_API_DOCS [true]  DCMMS_API_LOG_REQUESTS [true]
  DATABASE_POOL_SIZE [10]    RUN_MIGRATIONS [true]  LOG_LEVEL [info]
`;

const envSchema = z
  .object({
    DATABASE_URL: z.string().min(1),
    QUESTDB_HTTP: z.url().optional(),
    QUESTDB_PG: z.string().startsWith('postgres').optional(),
    TELEMETRY_SQLITE: z.string().min(1).optional(),
    QUESTDB_TABLE: z.string().default('telemetry'),
    KAFKA_BROKERS: brokersSchema.optional(),
    DCMMS_DOWNLINK: z.enum(['kafka', 'disabled']).default('kafka'),
    DCMMS_API_HOST: z.string().default('0.0.0.0'),
    DCMMS_API_PORT: portSchema.default(8080),
    DCMMS_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    DCMMS_ADMIN_USER: z.string().min(3).default('admin'),
    DCMMS_ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),
    DCMMS_TENANT_NAME: z.string().min(1).default('default'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    RUN_MIGRATIONS: boolSchema.default(true),
  })
  .refine((e) => (e.QUESTDB_HTTP !== undefined && e.QUESTDB_PG !== undefined) || e.TELEMETRY_SQLITE !== undefined, {
    message: 'set QUESTDB_HTTP and QUESTDB_PG, or TELEMETRY_SQLITE',
    path: ['QUESTDB_HTTP'],
  })
  .refine((e) => e.DCMMS_DOWNLINK === 'disabled' || e.KAFKA_BROKERS !== undefined, { message: 'required for the downlink (or DCMMS_DOWNLINK=disabled)', path: ['KAFKA_BROKERS'] });

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = readEnv(envSchema, env, 'api environment');
  const logger = createLogger({ name: 'api', base: { host: hostname() } });
  const metrics = createMetricsRegistry({ prefix: 'dcmms_api_' });

  const database = openRegistryDatabase(config.DATABASE_URL, { maxConnections: config.DATABASE_POOL_SIZE });
  if (config.RUN_MIGRATIONS) await migrateToLatest(database);
  const registry = createRegistry(database, { logger });
  const boot = await bootstrapAdmin(registry, { username: config.DCMMS_ADMIN_USER, password: config.DCMMS_ADMIN_PASSWORD, tenantName: config.DCMMS_TENANT_NAME });
  if (boot.created) {
    logger.info({ username: boot.username, tenantId: boot.tenantId }, 'first start: admin created');
    if (boot.generatedPassword) process.stderr.write(`\n  dCMMS admin created: user ${boot.username}, password ${boot.generatedPassword}\n  (shown once; stored hashed)\n\n`);
  }

  const telemetry: TelemetryStore =
    config.QUESTDB_HTTP && config.QUESTDB_PG
      ? await createQuestDbTelemetryStore({ httpUrl: config.QUESTDB_HTTP, pgUrl: config.QUESTDB_PG, table: config.QUESTDB_TABLE, logger })
      : createSqliteTelemetryStore(config.TELEMETRY_SQLITE!);
  const eventLog = config.DCMMS_DOWNLINK === 'kafka' ? createEventLog({ brokers: config.KAFKA_BROKERS!, clientId: `dcmms-api-${hostname()}`, logger }) : null;
  const producer = eventLog ? await eventLog.producer() : null;
  const downlink: DownlinkPublisher = producer
    ? createKafkaDownlink(producer)
    : { publish: async () => Promise.reject(new DownlinkError('DCMMS_DOWNLINK_UNAVAILABLE', 'the downlink is disabled (DCMMS_DOWNLINK=disabled)')) };

  const jwtSecret = await resolveJwtSecret(registry, config.DCMMS_JWT_SECRET);
  const app = buildApi({ registry, telemetry, ledger: createSqlCompletenessLedger(database), downlink, logger, metrics }, apiOptionsFromEnv(env, jwtSecret));
  const url = await app.listen({ host: config.DCMMS_API_HOST, port: config.DCMMS_API_PORT });
  logger.info({ url, docs: `${url}/docs` }, 'api listening');

  const signal = await stopSignal();
  logger.info({ signal }, 'stopping: refusing new requests, finishing the ones in flight');
  // In-flight requests get a few seconds; then the remaining connections are cut.
  const force = setTimeout(() => app.server.closeAllConnections(), 10_000);
  for (const [what, step] of [
    ['http server', () => app.close()],
    ['downlink producer', async () => producer?.close()],
    ['event log', async () => eventLog?.close()],
    ['telemetry store', () => telemetry.close()],
    ['registry', () => database.close()],
  ] as const) {
    await step().catch((err: unknown) => logger.warn({ err: describeError(err) }, `closing ${what} failed`));
  }
  clearTimeout(force);
  return 0;
}
