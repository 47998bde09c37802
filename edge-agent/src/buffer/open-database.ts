import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { EdgeError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import type { Migration } from './migrations.js';
import { isDiskFullError } from './sqlite-errors.js';

export interface OpenBufferDatabaseOptions {
  /** File path, or `:memory:` for tests that do not care about durability. */
  readonly path: string;
  readonly site: string;
  /** Replaces the shipped migrations (tests of the upgrade path). */
  readonly migrations?: readonly Migration[];
  /**
   * Hard cap on the file in pages (SQLite's max_page_count): writes beyond it fail with
   * SQLITE_FULL exactly like a full disk. Lets tests and small edge boxes bound the file.
   */
  readonly maxPageCount?: number;
}

/**
 * Opens (creating if needed) the site's buffer database in WAL mode and brings its schema
 * to the latest version. One file holds telemetry batches and the alarm journal, so one
 * transaction can cover both and a backup is one file (plus its -wal while running).
 */
export function openBufferDatabase(options: OpenBufferDatabaseOptions): Database {
  const migrations = options.migrations ?? MIGRATIONS;
  let db: Database;
  try {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    db = new BetterSqlite3(options.path);
  } catch (cause) {
    throw openError(options.path, cause);
  }
  try {
    // Must precede the first table, so free pages can be handed back to the file system
    // after a backlog drains (retention alone would only reuse them).
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk when it returns (power loss loses at most the open window).
    // Acknowledgement marks lower this per transaction: see telemetry-buffer.ts.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // Keeps the -wal file from staying at its high-water mark after a burst.
    db.pragma('journal_size_limit = 67108864');
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
    migrate(db, migrations, options.path);
    checkSite(db, options.site, options.path);
    return db;
  } catch (err) {
    db.close();
    throw err instanceof EdgeError ? err : openError(options.path, err);
  }
}

function openError(path: string, cause: unknown): EdgeError {
  if (isDiskFullError(cause)) {
    return new EdgeError('DCMMS_EDGE_BUFFER_DISK_FULL', `cannot open the buffer ${path}: the disk is full`, { cause, details: { path } });
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new EdgeError('DCMMS_EDGE_BUFFER_IO', `cannot open the buffer ${path}: ${message}`, { cause, details: { path } });
}

function migrate(db: Database, migrations: readonly Migration[], path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new EdgeError(
      'DCMMS_EDGE_BUFFER_NEWER_SCHEMA',
      `the buffer ${path} has schema version ${current}, this agent knows up to ${latest}: it was written by a newer agent; upgrade the agent or move the file away`,
      { details: { path, version: current, latest } },
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function checkSite(db: Database, site: string, path: string): void {
  const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'site'").get();
  if (row === undefined) {
    db.prepare("INSERT INTO meta (key, value) VALUES ('site', ?)").run(site);
    return;
  }
  if (row.value !== site) {
    throw new EdgeError(
      'DCMMS_EDGE_BUFFER_WRONG_SITE',
      `the buffer ${path} belongs to site ${row.value}, not ${site}: sequence numbers are per site, so it cannot be reused`,
      { details: { path, site: row.value, expected: site } },
    );
  }
}

export function readMeta(db: Database, key: string): number | undefined {
  const row = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?').get(key);
  return row?.value;
}
