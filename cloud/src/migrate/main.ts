import { parseArgs } from 'node:util';
import { z } from 'zod';
import { migrateToLatest, openRegistryDatabase } from '../db/index.js';
import { readEnv } from '../ingest/env.js';

export const HELP = `Usage: dcmms-cloud migrate [--help]

Brings the registry database (sites, assets, alerts, work orders, users, audit, the
completeness ledger) to the latest schema, then exits. Safe to run again and from several
places at once (a Kubernetes pre-upgrade Job, a container before the API starts): applied
migrations are skipped, and the migrator holds a lock while it works.

  DATABASE_URL   postgres://user:pass@host:5432/db or sqlite:<file>   (required)
`;

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = readEnv(z.object({ DATABASE_URL: z.string().min(1) }), env, 'migrate environment');
  const database = openRegistryDatabase(config.DATABASE_URL, { maxConnections: 1 });
  try {
    const result = await migrateToLatest(database);
    const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
    return 0;
  } finally {
    await database.close();
  }
}
