import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type EngineName = 'kafka' | 'questdb' | 'postgres';
export const ENGINE_NAMES: readonly EngineName[] = ['kafka', 'questdb', 'postgres'];

export interface EngineSettings {
  /** Root of everything engines write: jar cache, data folders, pid files, logs. */
  readonly dir: string;
  readonly host: string;
  readonly kafka: { readonly version: string; readonly port: number; readonly controllerPort: number; readonly heap: string };
  readonly questdb: { readonly version: string; readonly httpPort: number; readonly pgPort: number; readonly minHttpPort: number; readonly heap: string };
  readonly postgres: { readonly port: number; readonly user: string; readonly password: string; readonly database: string };
  /** How long to wait for an engine to answer after starting it. */
  readonly readyTimeoutMs: number;
}

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number, offset: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback + offset;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new SettingsError(`${name}: expected a port 1..65535, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Defaults are non-standard ports on 127.0.0.1, so a developer's own Kafka or PostgreSQL
 * on the usual ports is never touched. DCMMS_ENGINES_PORT_OFFSET shifts every default at
 * once (two checkouts on one machine); each port can also be set on its own.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): EngineSettings {
  const offsetRaw = env['DCMMS_ENGINES_PORT_OFFSET'] ?? '0';
  const offset = Number(offsetRaw);
  if (!Number.isInteger(offset) || offset < 0 || offset > 40000) {
    throw new SettingsError(`DCMMS_ENGINES_PORT_OFFSET: expected an integer 0..40000, got ${JSON.stringify(offsetRaw)}`);
  }
  return Object.freeze({
    dir: resolve(env['DCMMS_ENGINES_DIR'] ?? resolve(repoRoot, '.engines')),
    host: '127.0.0.1',
    kafka: Object.freeze({
      // 4.4.0 is on Maven Central without its kafka-tools-api jar; 4.3.1 is complete.
      version: env['DCMMS_KAFKA_VERSION'] ?? '4.3.1',
      port: port(env, 'DCMMS_KAFKA_PORT', 19092, offset),
      controllerPort: port(env, 'DCMMS_KAFKA_CONTROLLER_PORT', 19093, offset),
      heap: env['DCMMS_KAFKA_HEAP'] ?? '768m',
    }),
    questdb: Object.freeze({
      version: env['DCMMS_QUESTDB_VERSION'] ?? '9.3.4',
      httpPort: port(env, 'DCMMS_QUESTDB_HTTP_PORT', 19000, offset),
      pgPort: port(env, 'DCMMS_QUESTDB_PG_PORT', 18812, offset),
      minHttpPort: port(env, 'DCMMS_QUESTDB_MIN_HTTP_PORT', 19003, offset),
      heap: env['DCMMS_QUESTDB_HEAP'] ?? '1g',
    }),
    postgres: Object.freeze({
      port: port(env, 'DCMMS_POSTGRES_PORT', 15432, offset),
      user: 'postgres',
      password: env['DCMMS_POSTGRES_PASSWORD'] ?? 'dcmms',
      database: 'dcmms',
    }),
    readyTimeoutMs: Number(env['DCMMS_ENGINES_READY_TIMEOUT_MS'] ?? 120_000),
  });
}

/** What `engines:up` prints and what tests and services read. */
export function engineEnv(s: EngineSettings): Record<string, string> {
  return {
    KAFKA_BROKERS: `${s.host}:${s.kafka.port}`,
    QUESTDB_HTTP: `http://${s.host}:${s.questdb.httpPort}`,
    QUESTDB_PG: `postgres://admin:quest@${s.host}:${s.questdb.pgPort}/qdb`,
    DATABASE_URL: `postgres://${s.postgres.user}:${encodeURIComponent(s.postgres.password)}@${s.host}:${s.postgres.port}/${s.postgres.database}`,
  };
}
