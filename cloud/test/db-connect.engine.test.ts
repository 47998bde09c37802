import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { postgresTestRegistry } from './support/registry-db.js';

describe('registry database on PostgreSQL', () => {
  it('returns bigint epoch milliseconds as numbers', async () => {
    const t = await postgresTestRegistry(inject('engines')['DATABASE_URL']!);
    try {
      const r = await sql<{ at: number }>`select ${1_763_769_600_123}::bigint as at`.execute(t.database.db);
      expect(r.rows[0]?.at).toBe(1_763_769_600_123);
      expect(t.database.dialect).toBe('postgres');
    } finally {
      await t.drop();
    }
  });
});
