import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isDcmmsError } from '@dcmms/shared';
import { openRegistryDatabase } from '../src/db/index.js';
import { sqliteTestRegistry } from './support/registry-db.js';

describe('registry database', () => {
  it('refuses a URL of no known engine, naming the problem without the password', () => {
    let caught: unknown;
    try {
      openRegistryDatabase('mysql://root:hunter2@db/x');
    } catch (err) {
      caught = err;
    }
    expect(isDcmmsError(caught, 'DCMMS_DB_URL_INVALID')).toBe(true);
    expect((caught as Error).message).not.toContain('hunter2');
  });

  it('opens a migrated SQLite file with foreign keys on and WAL journaling', async () => {
    const t = await sqliteTestRegistry();
    try {
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(t.database.db);
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(t.database.db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      expect(journal.rows[0]?.journal_mode).toBe('wal');
    } finally {
      await t.drop();
    }
  });
});
