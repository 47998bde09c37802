import type { Kysely } from 'kysely';

/** The completeness ledger: one row per received batch (site, seq) and one per reported gap. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_batches')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('readings', 'integer', (c) => c.notNull())
    .addColumn('from_ts', 'bigint')
    .addColumn('to_ts', 'bigint')
    .addColumn('window_ts', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_batches_pk', ['site', 'seq'])
    .execute();
  await db.schema.createIndex('ledger_batches_site_window').on('ledger_batches').columns(['site', 'window_ts']).execute();

  await db.schema
    .createTable('ledger_gaps')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('gap_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('seq_from', 'bigint')
    .addColumn('seq_to', 'bigint')
    .addColumn('from_ts', 'bigint', (c) => c.notNull())
    .addColumn('to_ts', 'bigint', (c) => c.notNull())
    .addColumn('batches', 'integer', (c) => c.notNull())
    .addColumn('readings', 'integer', (c) => c.notNull())
    .addColumn('detected_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_gaps_pk', ['site', 'gap_id'])
    .execute();
  await db.schema.createIndex('ledger_gaps_site_from').on('ledger_gaps').columns(['site', 'from_ts']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ledger_gaps').ifExists().execute();
  await db.schema.dropTable('ledger_batches').ifExists().execute();
}
