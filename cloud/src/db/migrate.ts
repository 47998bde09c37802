import { Migrator, type MigrationResultSet } from 'kysely';
import { DcmmsError } from '@dcmms/shared';
import type { RegistryDatabase } from './connect.js';
import { migrations } from './migrations/index.js';

/** Brings the schema to the latest migration; run at start-up and by `dcmms-cloud migrate`. */
export async function migrateToLatest(database: RegistryDatabase): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new DcmmsError('DCMMS_DB_MIGRATION_FAILED', `migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}
