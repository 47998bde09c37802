import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { DcmmsError } from '@dcmms/shared';
import type { DatabaseSchema } from './schema.js';

export type Dialect = 'postgres' | 'sqlite';

export interface RegistryDatabase {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL pool size. */
  readonly maxConnections?: number;
}

// int8 (bigint) holds our epoch-millisecond timestamps: well inside 2^53, so a number, not a string.
const PG_INT8 = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === PG_INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * One query layer over two engines: `postgres://...` in production, `sqlite:<file>` (or
 * `sqlite::memory:`) for the embedded mode and `npm test`. The schema is written so the same
 * queries run on both (see schema.ts for the conventions).
 */
export function openRegistryDatabase(url: string, options: OpenOptions = {}): RegistryDatabase {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types: pgTypes });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  throw new DcmmsError('DCMMS_DB_URL_INVALID', `database URL must start with postgres://, postgresql:// or sqlite: (got ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))})`);
}
