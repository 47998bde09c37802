import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { siteIdSchema, toIssues } from '@dcmms/shared';
import { DemoError } from './errors.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export const HELP = `Usage: npm start [-- --help]
       npm run start:engines

The whole product on one machine: device simulators for a demo site (2 PV inverters and a
revenue meter over Modbus TCP, a wind turbine over OPC-UA; 180 tags), an edge agent for it,
the cloud gateway (MQTT) and the REST API, with a seeded tenant, admin, site, asset tree,
alarm rules and work orders. Ctrl-C stops everything cleanly; the next start reuses the data.

  npm start               embedded engines: SQLite files, no Kafka, nothing else to run
  npm run start:engines   Kafka, QuestDB and PostgreSQL (started by engines:up if needed),
                          with the real gateway, worker and api roles as child processes

Environment (defaults in brackets):
  DCMMS_DATA_DIR              [.data/demo, or .data/demo-engines]  registry, telemetry,
                              edge buffer, the edge's MQTT secret, logs
  DCMMS_API_HOST [127.0.0.1]  DCMMS_API_PORT [8080]      the REST API (docs at /docs)
  DCMMS_MQTT_HOST [127.0.0.1] DCMMS_MQTT_PORT [11883]    the gateway's MQTT listener (plain TCP
                              on loopback; 11883 so a local broker on 1883 is left alone)
  DCMMS_EDGE_HTTP_PORT [9180] the edge agent's /healthz /readyz /metrics /status
  DCMMS_JWT_SECRET            token signing key, >= 32 characters (default: generated once and
                              kept in the registry, so logins survive a restart)
  DCMMS_ADMIN_USER [admin]    DCMMS_ADMIN_PASSWORD (>= 12 characters; default: generated at
                              the first start and printed once; when set, later starts
                              reset the admin's password to it)
  DCMMS_DEMO_SITE [demo-plant]            the site id (MQTT user name, topic prefix)
  DCMMS_DEMO_ALARM_DELAY_MS [20000]       on-delay of the demo alarm (gearbox oil hot)
  DCMMS_DEMO_POLL_MS [1000]               Modbus poll and OPC-UA sampling interval
  LOG_LEVEL [info]                        JSON logs go to <data dir>/logs/, not the terminal
 start:engines only:
  DCMMS_DEMO_DATABASE [dcmms_demo]        PostgreSQL database (created if missing)
  DCMMS_DEMO_QUESTDB_TABLE [telemetry]    DCMMS_DEMO_KAFKA_GROUP [dcmms-demo] (group prefix)
  and the engines' own settings (DCMMS_KAFKA_PORT, ...: see npm run engines:up -- --help)
`;

const port = z.coerce.number().int().min(0, 'expected a port 0..65535').max(65535, 'expected a port 0..65535');
const ms = (min: number, max: number) => z.coerce.number().int().min(min, `expected at least ${min} ms`).max(max, `expected at most ${max} ms`);

export const demoOptionsSchema = z.strictObject({
  mode: z.enum(['embedded', 'engines']).default('embedded'),
  dataDir: z.string().min(1).optional(),
  apiHost: z.string().min(1).default('127.0.0.1'),
  apiPort: port.default(8080),
  mqttHost: z.string().min(1).default('127.0.0.1'),
  mqttPort: port.default(11883),
  edgeHttpPort: port.default(9180),
  adminUser: z.string().trim().min(3, 'expected at least 3 characters').max(64).default('admin'),
  adminPassword: z.string().min(12, 'expected at least 12 characters').max(256).optional(),
  jwtSecret: z.string().min(32, 'expected at least 32 characters').optional(),
  siteId: siteIdSchema.default('demo-plant'),
  alarmDelayMs: ms(0, 600_000).default(20_000),
  pollIntervalMs: ms(100, 60_000).default(1000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Write the JSON logs to <dataDir>/logs (default) or nowhere (tests keep their output short). */
  logToFile: z.boolean().default(true),
  database: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a PostgreSQL identifier (a-z, 0-9, _)')
    .default('dcmms_demo'),
  questdbTable: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,126}$/, 'expected a table name (letters, digits, _)')
    .default('telemetry'),
  kafkaGroup: z.string().regex(/^[\w.-]{1,200}$/, 'expected letters, digits, ".", "_" and "-"').default('dcmms-demo'),
  /** Engine addresses (KAFKA_BROKERS, QUESTDB_HTTP, QUESTDB_PG, DATABASE_URL) when they run already: engines:up is skipped. */
  enginesEnv: z.record(z.string(), z.string()).optional(),
});
export type DemoOptionsInput = z.input<typeof demoOptionsSchema>;
export type DemoOptions = Readonly<Omit<z.output<typeof demoOptionsSchema>, 'dataDir'> & { dataDir: string }>;

/** Validated once, data folder resolved, frozen. */
export function parseDemoOptions(input: DemoOptionsInput): DemoOptions {
  const parsed = demoOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    throw new DemoError('DCMMS_DEMO_OPTIONS_INVALID', `the demo settings are invalid:\n${issues.map((i) => `  ${envNameOf(i.path)}: ${i.message}`).join('\n')}`, { details: { issues } });
  }
  const o = parsed.data;
  const dataDir = resolve(o.dataDir ?? resolve(REPO_ROOT, '.data', o.mode === 'engines' ? 'demo-engines' : 'demo'));
  return Object.freeze({ ...o, dataDir });
}

const ENV_NAMES: Readonly<Record<string, string>> = {
  dataDir: 'DCMMS_DATA_DIR',
  apiHost: 'DCMMS_API_HOST',
  apiPort: 'DCMMS_API_PORT',
  mqttHost: 'DCMMS_MQTT_HOST',
  mqttPort: 'DCMMS_MQTT_PORT',
  edgeHttpPort: 'DCMMS_EDGE_HTTP_PORT',
  adminUser: 'DCMMS_ADMIN_USER',
  adminPassword: 'DCMMS_ADMIN_PASSWORD',
  jwtSecret: 'DCMMS_JWT_SECRET',
  siteId: 'DCMMS_DEMO_SITE',
  alarmDelayMs: 'DCMMS_DEMO_ALARM_DELAY_MS',
  pollIntervalMs: 'DCMMS_DEMO_POLL_MS',
  logLevel: 'LOG_LEVEL',
  database: 'DCMMS_DEMO_DATABASE',
  questdbTable: 'DCMMS_DEMO_QUESTDB_TABLE',
  kafkaGroup: 'DCMMS_DEMO_KAFKA_GROUP',
};

/** Errors name the variable the user set, not our field. */
const envNameOf = (path: string): string => ENV_NAMES[path] ?? path;

/** The options `npm start` takes from its environment (empty variables count as unset). */
export function demoOptionsFromEnv(env: NodeJS.ProcessEnv, mode: 'embedded' | 'engines'): DemoOptionsInput {
  const input: Record<string, unknown> = { mode };
  for (const [field, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[field] = value;
  }
  return input as DemoOptionsInput;
}
