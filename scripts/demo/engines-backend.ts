import { rmSync } from 'node:fs';
import pg from 'pg';
import { createEventLog, createKafkaDownlink, createRegistry, migrateToLatest, openRegistryDatabase, type EventLog, type LogProducer } from '@dcmms/cloud';
import { KAFKA_TOPICS, describeError, type Logger } from '@dcmms/shared';
import { up } from '../engines/engines.js';
import { engineEnv, loadSettings } from '../engines/settings.js';
import { closeAll, type Backend, type CloudServices } from './backend.js';
import { readState, writeState, type DataLayout } from './data-dir.js';
import { DemoError } from './errors.js';
import type { DemoOptions } from './options.js';
import { assertPortsFree } from './ports.js';
import { recordRolePids } from './leftover-roles.js';
import { startRole, type RoleProcess } from './roles.js';
import { reachableHost } from './summary.js';

const REQUIRED = ['KAFKA_BROKERS', 'QUESTDB_HTTP', 'QUESTDB_PG', 'DATABASE_URL'] as const;

/** The engines' addresses: started (or found running) by engines:up, or given by the caller. */
async function enginesEnv(options: DemoOptions, progress: (line: string) => void): Promise<Record<string, string>> {
  if (options.enginesEnv) return options.enginesEnv;
  const settings = loadSettings();
  try {
    await up(settings, undefined, (line) => progress(`engines: ${line}`));
  } catch (err) {
    throw new DemoError('DCMMS_DEMO_ENGINES_UNAVAILABLE', `the engines did not start: ${describeError(err)} (see npm run engines:status and the logs under ${settings.dir})`, { cause: err });
  }
  return engineEnv(settings);
}

/** The demo's own database on the engines' PostgreSQL server, created on first use. */
async function demoDatabaseUrl(serverUrl: string, database: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database "${database}"`).catch((err: unknown) => {
        // Two starts at once: the other one created it.
        if ((err as { code?: string }).code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * `npm run start:engines`: registry in PostgreSQL, telemetry in QuestDB, Kafka between the
 * gateway and the worker. The roles run as child processes, each exactly as a deployment
 * runs it (`dcmms-cloud gateway|worker|api`, configured by its environment), so what the
 * demo shows is the production wiring, and each role's logs stay in a file of their own.
 */
export async function openEnginesBackend(options: DemoOptions, layout: DataLayout, logger: Logger, progress: (line: string) => void): Promise<Backend> {
  const env = await enginesEnv(options, progress);
  const missing = REQUIRED.filter((k) => !env[k]);
  if (missing.length > 0) throw new DemoError('DCMMS_DEMO_ENGINES_UNAVAILABLE', `engine addresses missing: ${missing.join(', ')}`);
  const databaseUrl = await demoDatabaseUrl(env['DATABASE_URL']!, options.database).catch((err: unknown) => {
    throw new DemoError('DCMMS_DEMO_ENGINES_UNAVAILABLE', `PostgreSQL at ${env['DATABASE_URL']!.replace(/:[^:@/]*@/, ':***@')} is not usable: ${describeError(err)} (npm run engines:up starts it)`, { cause: err });
  });
  const database = openRegistryDatabase(databaseUrl);
  const eventLog: EventLog = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'dcmms-demo', logger: logger.child({ component: 'kafka' }) });
  const roles: RoleProcess[] = [];
  let producer: LogProducer | null = null;
  const close = async () => {
    const warn = (what: string, err: unknown) => logger.warn({ err }, `closing ${what} failed`);
    await closeAll(
      [
        // The API first (no new changes), then the worker (finishes its flush), then the gateway.
        ...(['api', 'worker', 'gateway'] as const).map((name) => [name, async () => roles.find((r) => r.role === name)?.stop()] as const),
        ['role pid list', async () => (roles.length > 0 ? rmSync(layout.rolePids, { force: true }) : undefined)],
        ['downlink producer', async () => producer?.close()],
        ['event log', () => eventLog.close()],
        ['registry', () => database.close()],
      ],
      warn,
    );
  };
  try {
    await migrateToLatest(database);
    const missingTopics = await eventLog.missingTopics(Object.values(KAFKA_TOPICS));
    if (missingTopics.length > 0) throw new DemoError('DCMMS_DEMO_ENGINES_UNAVAILABLE', `Kafka topics missing: ${missingTopics.join(', ')} (npm run engines:up creates them)`);
  } catch (err) {
    await close();
    throw err;
  }
  const registry = createRegistry(database, { logger });

  const start = async (): Promise<CloudServices> => {
    await assertPortsFree([
      { host: options.apiHost, port: options.apiPort, what: 'the API', env: 'DCMMS_API_PORT' },
      { host: options.mqttHost, port: options.mqttPort, what: 'the MQTT gateway', env: 'DCMMS_MQTT_PORT' },
    ]);
    // A group of the demo's that never ran starts at the end of the shared topics (not at
    // their beginning: other users' history is not the demo's); later starts resume from
    // their offsets, so nothing produced while the demo was stopped is skipped.
    const groups = { telemetry: `${options.kafkaGroup}-telemetry`, edgeEvents: `${options.kafkaGroup}-edge-events` };
    const state = readState(layout);
    const fresh = [
      [groups.telemetry, [KAFKA_TOPICS.telemetryRaw]],
      [groups.edgeEvents, [KAFKA_TOPICS.alertsEdge, KAFKA_TOPICS.edgeStatus, KAFKA_TOPICS.edgeResults]],
    ].filter(([g]) => !state.positionedGroups.includes(g as string)) as Array<[string, string[]]>;
    for (const [group, topics] of fresh) await eventLog.setGroupOffsetsToEnd(group, topics);
    if (fresh.length > 0) writeState(layout, { ...readState(layout), positionedGroups: [...state.positionedGroups, ...fresh.map(([g]) => g)] });

    // Readiness is read from the roles' info lines: never below info.
    const common = { LOG_LEVEL: options.logLevel === 'debug' || options.logLevel === 'trace' ? options.logLevel : 'info', RUN_MIGRATIONS: 'false', METRICS_HOST: '127.0.0.1', METRICS_PORT: '0' };
    const questdb = { QUESTDB_HTTP: env['QUESTDB_HTTP']!, QUESTDB_PG: env['QUESTDB_PG']!, QUESTDB_TABLE: options.questdbTable };
    roles.push(
      startRole('gateway', { ...common, KAFKA_BROKERS: env['KAFKA_BROKERS']!, DATABASE_URL: databaseUrl, MQTT_HOST: options.mqttHost, MQTT_PORT: String(options.mqttPort) }, layout.logs),
      startRole('worker', { ...common, ...questdb, KAFKA_BROKERS: env['KAFKA_BROKERS']!, DATABASE_URL: databaseUrl, INGEST_GROUP_ID: groups.telemetry, EDGE_EVENTS_GROUP_ID: groups.edgeEvents }, layout.logs),
      startRole('api', { ...common, ...questdb, KAFKA_BROKERS: env['KAFKA_BROKERS']!, DATABASE_URL: databaseUrl, DCMMS_API_HOST: options.apiHost, DCMMS_API_PORT: String(options.apiPort), DCMMS_ADMIN_USER: options.adminUser, ...(options.jwtSecret ? { DCMMS_JWT_SECRET: options.jwtSecret } : {}) }, layout.logs),
    );
    recordRolePids(layout.rolePids, Object.fromEntries(roles.map((r) => [r.role, r.pid])));
    const [gatewayReady, , apiReady] = await Promise.all(roles.map((r) => r.ready));
    producer = await eventLog.producer();
    const apiPort = Number(new URL(String(apiReady!['url'])).port);
    return {
      apiUrl: `http://${reachableHost(options.apiHost)}:${apiPort}`,
      mqttUrl: `mqtt://${reachableHost(options.mqttHost)}:${Number(gatewayReady!['tcpPort'])}`,
      downlink: createKafkaDownlink(producer),
      logFiles: roles.map((r) => r.logFile),
      engines: { ...env, DATABASE_URL: databaseUrl.replace(/:[^:@/]*@/, ':***@'), QUESTDB_TABLE: options.questdbTable },
    };
  };
  return { registry, start, close };
}
