import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openRegistryDatabase, type RegistryDatabase } from '../../src/db/index.js';

export interface TestRegistry {
  readonly database: RegistryDatabase;
  readonly url: string;
  /** Closes the connection and deletes the database. */
  drop(): Promise<void>;
}

/** A fresh SQLite file in a temp folder, migrated. */
export async function sqliteTestRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'dcmms-registry-'));
  const url = `sqlite:${join(dir, 'registry.db')}`;
  const database = openRegistryDatabase(url);
  await migrateToLatest(database);
  return {
    database,
    url,
    drop: async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh PostgreSQL database on the engines' server (`DATABASE_URL`), migrated; dropped afterwards. */
export async function postgresTestRegistry(databaseUrl: string): Promise<TestRegistry> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const database = openRegistryDatabase(url.toString());
  await migrateToLatest(database);
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
