import type { Database } from 'better-sqlite3';

/**
 * The buffer's schema, as an ordered list of steps. `PRAGMA user_version` records the last
 * step applied, so an agent upgraded in place opens the old file and runs what is missing;
 * a file from a newer agent is refused (see open-database.ts). Steps are append-only:
 * never edit one that has shipped, add the next.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'telemetry batches, cursors, gap records, alarm journal',
    up(db: Database): void {
      db.exec(`
        CREATE TABLE meta (
          key TEXT PRIMARY KEY,
          value ANY
        ) WITHOUT ROWID;

        -- One row per committed batch: the encoded wire message, ready to send as is.
        -- seq is the rowid, so the table is one B-tree ordered by seq.
        CREATE TABLE batches (
          seq INTEGER PRIMARY KEY,
          created_at INTEGER NOT NULL,
          from_ts INTEGER NOT NULL,
          to_ts INTEGER NOT NULL,
          readings INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          acked INTEGER NOT NULL DEFAULT 0,
          body BLOB NOT NULL
        );
        CREATE INDEX batches_unacked ON batches (seq) WHERE acked = 0;
        CREATE INDEX batches_acked ON batches (seq) WHERE acked = 1;

        -- Per uplink lane: live = highest seq the cloud acknowledged on the live lane;
        -- backfill = low-water mark, every seq at or below it is acknowledged or reported dropped.
        CREATE TABLE cursors (
          stream TEXT PRIMARY KEY,
          seq INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE gaps (
          id INTEGER PRIMARY KEY,
          reason TEXT NOT NULL,
          seq_from INTEGER,
          seq_to INTEGER,
          from_ts INTEGER NOT NULL,
          to_ts INTEGER NOT NULL,
          batches INTEGER NOT NULL,
          readings INTEGER NOT NULL,
          detected_at INTEGER NOT NULL,
          sent INTEGER NOT NULL DEFAULT 0,
          body BLOB NOT NULL
        );
        CREATE INDEX gaps_unsent ON gaps (id) WHERE sent = 0;

        CREATE TABLE alarm_events (
          event_seq INTEGER PRIMARY KEY,
          alert_id TEXT NOT NULL,
          occurrence INTEGER NOT NULL,
          ts INTEGER NOT NULL,
          sent INTEGER NOT NULL DEFAULT 0,
          body TEXT NOT NULL
        );
        CREATE INDEX alarm_events_unsent ON alarm_events (event_seq) WHERE sent = 0;

        -- The alarm engine's state per alarm point, so a restart resumes the lifecycle.
        CREATE TABLE alarm_points (
          alert_id TEXT PRIMARY KEY,
          state TEXT NOT NULL
        ) WITHOUT ROWID;

        -- Cloud actions naming an occurrence this edge has not reached yet (kept, not lost).
        CREATE TABLE alarm_pending_actions (
          alert_id TEXT PRIMARY KEY,
          body TEXT NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
]);

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
