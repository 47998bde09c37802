import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createLogger, createMetricsRegistry, describeError, KAFKA_TOPICS } from '@dcmms/shared';
import { migrateToLatest, openRegistryDatabase } from '../db/index.js';
import { createDownlinkRelay } from '../downlink/kafka.js';
import { createInProcessDownlink } from '../downlink/in-process.js';
import { boolSchema, brokersSchema, portSchema, readEnv, stopSignal } from '../ingest/env.js';
import { startOpsServer } from '../ingest/ops-server.js';
import { createEventLog } from '../kafka/index.js';
import type { SiteCredentialVerifier } from '../ports/site-credentials.js';
import { createRegistry, registryCredentialVerifier } from '../registry/index.js';
import { createFileCredentialVerifier } from './credentials-file.js';
import { createGateway } from './gateway.js';
import { createKafkaIntake } from './kafka-intake.js';

export const HELP = `Usage: dcmms-cloud gateway [--help]

The MQTT gateway: authenticates each site, enforces the topic ACL, validates every payload,
produces to Kafka (acks=all) and only then sends the PUBACK. Relays downlink messages from
the edge.downlink topic to the sites connected here. Configured by the environment:

  KAFKA_BROKERS           host:port[,host:port]                      (required)
  DATABASE_URL            registry (site credentials), postgres://... or sqlite:<file>
  SITE_CREDENTIALS_FILE   JSON file of hashed site credentials instead of the registry
  MQTT_HOST [0.0.0.0]     MQTT_PORT [1883] (plain TCP; "off" to disable)
  MQTT_TLS_PORT [8883]    MQTT_TLS_CERT, MQTT_TLS_KEY: PEM files; TLS listens when both are set
  MQTT_TLS_CA             optional CA bundle sent to clients
  GATEWAY_MAX_PAYLOAD_BYTES [786432]   GATEWAY_MAX_INFLIGHT_BYTES [67108864]
  METRICS_HOST [0.0.0.0]  METRICS_PORT [9464]  (/metrics, /healthz, /readyz)
  RUN_MIGRATIONS [true]   migrate the registry at start-up (when DATABASE_URL is used)
  LOG_LEVEL [info]
`;

const envSchema = z
  .object({
    KAFKA_BROKERS: brokersSchema,
    DATABASE_URL: z.string().min(1).optional(),
    SITE_CREDENTIALS_FILE: z.string().min(1).optional(),
    MQTT_HOST: z.string().default('0.0.0.0'),
    MQTT_PORT: z.union([z.literal('off'), portSchema]).default(1883),
    MQTT_TLS_PORT: portSchema.default(8883),
    MQTT_TLS_CERT: z.string().min(1).optional(),
    MQTT_TLS_KEY: z.string().min(1).optional(),
    MQTT_TLS_CA: z.string().min(1).optional(),
    GATEWAY_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).optional(),
    GATEWAY_MAX_INFLIGHT_BYTES: z.coerce.number().int().min(1024 * 1024).optional(),
    METRICS_HOST: z.string().default('0.0.0.0'),
    METRICS_PORT: portSchema.default(9464),
    RUN_MIGRATIONS: boolSchema.default(true),
  })
  .refine((e) => e.DATABASE_URL !== undefined || e.SITE_CREDENTIALS_FILE !== undefined, { message: 'set DATABASE_URL or SITE_CREDENTIALS_FILE', path: ['DATABASE_URL'] })
  .refine((e) => (e.MQTT_TLS_CERT === undefined) === (e.MQTT_TLS_KEY === undefined), { message: 'set both MQTT_TLS_CERT and MQTT_TLS_KEY, or neither', path: ['MQTT_TLS_KEY'] })
  .refine((e) => e.MQTT_PORT !== 'off' || e.MQTT_TLS_CERT !== undefined, { message: 'with MQTT_PORT=off a TLS certificate is required', path: ['MQTT_PORT'] });

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = readEnv(envSchema, env, 'gateway environment');
  const logger = createLogger({ name: 'gateway', base: { host: hostname() } });
  const metrics = createMetricsRegistry({ prefix: 'dcmms_gateway_' });
  const eventLog = createEventLog({ brokers: config.KAFKA_BROKERS, clientId: `dcmms-gateway-${hostname()}`, logger });

  const missing = await eventLog.missingTopics(Object.values(KAFKA_TOPICS));
  if (missing.length > 0) throw new Error(`Kafka topics missing: ${missing.join(', ')} (create them, e.g. npm run engines:up or the Helm chart's topic job)`);

  let credentials: SiteCredentialVerifier;
  let closeDb = async () => undefined as void;
  if (config.SITE_CREDENTIALS_FILE) {
    credentials = createFileCredentialVerifier(config.SITE_CREDENTIALS_FILE);
  } else {
    const database = openRegistryDatabase(config.DATABASE_URL!);
    if (config.RUN_MIGRATIONS) await migrateToLatest(database);
    credentials = registryCredentialVerifier(createRegistry(database, { logger }));
    closeDb = () => database.close();
  }

  const producer = await eventLog.producer();
  const gateway = await createGateway({
    credentials,
    intake: createKafkaIntake(producer),
    tcp: config.MQTT_PORT === 'off' ? null : { host: config.MQTT_HOST, port: config.MQTT_PORT },
    tls:
      config.MQTT_TLS_CERT && config.MQTT_TLS_KEY
        ? {
            host: config.MQTT_HOST,
            port: config.MQTT_TLS_PORT,
            cert: readFileSync(config.MQTT_TLS_CERT),
            key: readFileSync(config.MQTT_TLS_KEY),
            ...(config.MQTT_TLS_CA ? { ca: readFileSync(config.MQTT_TLS_CA) } : {}),
          }
        : null,
    limits: {
      ...(config.GATEWAY_MAX_PAYLOAD_BYTES ? { maxPayloadBytes: config.GATEWAY_MAX_PAYLOAD_BYTES, maxPacketBytes: config.GATEWAY_MAX_PAYLOAD_BYTES + 256 * 1024 } : {}),
      ...(config.GATEWAY_MAX_INFLIGHT_BYTES ? { maxInflightBytes: config.GATEWAY_MAX_INFLIGHT_BYTES } : {}),
    },
    logger,
    metrics,
  });
  const relay = createDownlinkRelay({ eventLog, local: createInProcessDownlink(gateway.broker), logger });
  await relay.start();
  let stopping = false;
  const ops = await startOpsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, metrics, ready: () => !stopping && !gateway.stats().paused });
  logger.info({ tcpPort: gateway.tcpPort, tlsPort: gateway.tlsPort, metricsPort: ops.port }, 'gateway ready');

  const signal = await stopSignal();
  stopping = true;
  logger.info({ signal }, 'stopping: no new connections, finishing the delivery in flight');
  for (const [what, step] of [
    ['gateway', () => gateway.close()],
    ['downlink relay', () => relay.stop()],
    ['ops server', () => ops.close()],
    ['event log', () => eventLog.close()],
    ['registry', () => closeDb()],
  ] as const) {
    await step().catch((err: unknown) => logger.warn({ err: describeError(err) }, `closing ${what} failed`));
  }
  return 0;
}
