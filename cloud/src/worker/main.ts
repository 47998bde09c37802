import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { KAFKA_TOPICS, createLogger, createMetricsRegistry, describeError } from '@dcmms/shared';
import { migrateToLatest, openRegistryDatabase } from '../db/index.js';
import { createUplinkApplier } from '../ingest/applier.js';
import { createIngestConsumer, type IngestConsumer } from '../ingest/consumer.js';
import { boolSchema, brokersSchema, portSchema, readEnv, stopSignal } from '../ingest/env.js';
import { startOpsServer } from '../ingest/ops-server.js';
import { createEventLog } from '../kafka/index.js';
import { createSqlCompletenessLedger } from '../ledger/index.js';
import { createRegistry, registryAlertEventSink, registryEdgeResultSink, registrySiteDirectory, registrySiteStatusSink } from '../registry/index.js';
import { createQuestDbTelemetryStore } from '../stores/telemetry/index.js';

export const HELP = `Usage: dcmms-cloud worker [--help]

The ingest worker: a Kafka consumer group on telemetry.raw writing rows to QuestDB (ILP over
HTTP, large flushes) and the completeness ledger, committing offsets only after both
accepted; and a second group on alerts.edge, edge.status and edge.results applying them to
the registry. A store outage pauses and retries, never skips; undecodable records go to
telemetry.invalid with the reason. Scale out by running more workers (up to the partitions).

  KAFKA_BROKERS          host:port[,host:port]                          (required)
  QUESTDB_HTTP           http://host:9000 (ILP over HTTP)               (required)
  QUESTDB_PG             postgres://admin:quest@host:8812/qdb           (required)
  DATABASE_URL           registry + ledger, postgres://... or sqlite:<file> (required)
  QUESTDB_TABLE [telemetry]
  WORKER_CONSUMERS [telemetry,edge-events]  which of the two groups this process runs
  INGEST_GROUP_ID [dcmms-ingest-telemetry]  EDGE_EVENTS_GROUP_ID [dcmms-ingest-edge-events]
  INGEST_FROM_BEGINNING [true]  where a new group starts (true: nothing already in Kafka is skipped)
  INGEST_CONCURRENCY [6]        partitions handled (and flushed together) at once
  INGEST_MAX_ROWS_PER_FLUSH [200000]
  INGEST_SESSION_TIMEOUT_MS [30000]  how soon a dead worker's partitions move to the others
  LEDGER_RETENTION_DAYS [90]    completeness ledger rows older than this are pruned hourly (0: keep)
  METRICS_HOST [0.0.0.0]  METRICS_PORT [9465]  (/metrics, /healthz, /readyz)
  RUN_MIGRATIONS [true]   LOG_LEVEL [info]
`;

const envSchema = z.object({
  KAFKA_BROKERS: brokersSchema,
  QUESTDB_HTTP: z.url(),
  QUESTDB_PG: z.string().startsWith('postgres'),
  DATABASE_URL: z.string().min(1),
  QUESTDB_TABLE: z.string().default('telemetry'),
  WORKER_CONSUMERS: z
    .string()
    .default('telemetry,edge-events')
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(['telemetry', 'edge-events'])).min(1)),
  INGEST_GROUP_ID: z.string().min(1).default('dcmms-ingest-telemetry'),
  EDGE_EVENTS_GROUP_ID: z.string().min(1).default('dcmms-ingest-edge-events'),
  INGEST_FROM_BEGINNING: boolSchema.default(true),
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  INGEST_MAX_ROWS_PER_FLUSH: z.coerce.number().int().min(1000).default(200_000),
  LEDGER_RETENTION_DAYS: z.coerce.number().min(0).default(90),
  INGEST_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  METRICS_HOST: z.string().default('0.0.0.0'),
  METRICS_PORT: portSchema.default(9465),
  RUN_MIGRATIONS: boolSchema.default(true),
});

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = readEnv(envSchema, env, 'worker environment');
  const logger = createLogger({ name: 'worker', base: { host: hostname() } });
  const metrics = createMetricsRegistry({ prefix: 'dcmms_worker_' });

  const database = openRegistryDatabase(config.DATABASE_URL);
  if (config.RUN_MIGRATIONS) await migrateToLatest(database);
  const registry = createRegistry(database, { logger });
  const store = await createQuestDbTelemetryStore({ httpUrl: config.QUESTDB_HTTP, pgUrl: config.QUESTDB_PG, table: config.QUESTDB_TABLE, logger });
  const eventLog = createEventLog({ brokers: config.KAFKA_BROKERS, clientId: `dcmms-worker-${hostname()}`, logger });
  const producer = await eventLog.producer();

  const consumers: IngestConsumer[] = [];
  const ledger = createSqlCompletenessLedger(database);
  let pruner: NodeJS.Timeout | undefined;
  if (config.WORKER_CONSUMERS.includes('telemetry') && config.LEDGER_RETENTION_DAYS > 0) {
    const prune = () =>
      ledger.prune(Date.now() - config.LEDGER_RETENTION_DAYS * 86_400_000).then(
        (n) => (n.batches + n.gaps > 0 ? logger.info(n, 'ledger pruned') : undefined),
        (err: unknown) => logger.warn({ err: describeError(err) }, 'ledger pruning failed; next try in an hour'),
      );
    pruner = setInterval(() => void prune(), 3_600_000);
    pruner.unref();
    void prune();
  }
  if (config.WORKER_CONSUMERS.includes('telemetry')) {
    consumers.push(
      createIngestConsumer({
        eventLog,
        producer,
        applier: createUplinkApplier({ store, ledger, directory: registrySiteDirectory(registry) }),
        groupId: config.INGEST_GROUP_ID,
        topics: [KAFKA_TOPICS.telemetryRaw],
        fromBeginning: config.INGEST_FROM_BEGINNING,
        concurrency: config.INGEST_CONCURRENCY,
        maxRowsPerFlush: config.INGEST_MAX_ROWS_PER_FLUSH,
        sessionTimeoutMs: config.INGEST_SESSION_TIMEOUT_MS,
        metrics,
        logger,
      }),
    );
  }
  if (config.WORKER_CONSUMERS.includes('edge-events')) {
    consumers.push(
      createIngestConsumer({
        eventLog,
        producer,
        applier: createUplinkApplier({ alerts: registryAlertEventSink(registry), status: registrySiteStatusSink(registry), results: registryEdgeResultSink(registry) }),
        groupId: config.EDGE_EVENTS_GROUP_ID,
        topics: [KAFKA_TOPICS.alertsEdge, KAFKA_TOPICS.edgeStatus, KAFKA_TOPICS.edgeResults],
        fromBeginning: config.INGEST_FROM_BEGINNING,
        concurrency: 3,
        sessionTimeoutMs: config.INGEST_SESSION_TIMEOUT_MS,
        metrics,
        logger,
      }),
    );
  }
  let ready = false;
  const ops = await startOpsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, metrics, ready: () => ready });
  await Promise.all(consumers.map((c) => c.start()));
  ready = true;
  logger.info({ consumers: config.WORKER_CONSUMERS, metricsPort: ops.port }, 'worker ready');

  const signal = await stopSignal();
  ready = false;
  clearInterval(pruner);
  logger.info({ signal }, 'stopping: leaving the groups, unfinished batches are not committed');
  for (const [what, step] of [
    ['consumers', () => Promise.all(consumers.map((c) => c.stop())).then(() => undefined)],
    ['producer', () => producer.close()],
    ['event log', () => eventLog.close()],
    ['telemetry store', () => store.close()],
    ['ops server', () => ops.close()],
    ['registry', () => database.close()],
  ] as const) {
    await step().catch((err: unknown) => logger.warn({ err: describeError(err) }, `closing ${what} failed`));
  }
  return 0;
}
