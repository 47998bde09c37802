import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { createManualClock } from '@dcmms/shared';
import { MIGRATIONS, LATEST_SCHEMA_VERSION, TelemetryBuffer, isEdgeError, openBufferDatabase } from '../src/index.js';
import type { Migration } from '../src/index.js';
import { tempDir } from './support/temp-dir.js';
import { plantCycle } from './support/readings.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const limits = { maxBytes: 1e9, maxAgeMs: 86_400_000, maxReadingsPerBatch: 10_000, maxBatchBytes: 1 << 20, maxPendingReadings: 100_000 };

describe('openBufferDatabase', () => {
  it('creates a WAL database at the latest schema version', () => {
    const db = openBufferDatabase({ path: join(dir.path, 'a', 'buffer.db'), site: 'plant-01' });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    db.close();
  });

  it('upgrades an existing file in place and keeps its data', () => {
    const path = join(dir.path, 'buffer.db');
    const v1 = openBufferDatabase({ path, site: 'plant-01', migrations: MIGRATIONS.slice(0, 1) });
    const buffer = new TelemetryBuffer({ db: v1, site: 'plant-01', clock: createManualClock(1e12), limits });
    buffer.append(plantCycle(0, 10));
    buffer.commit();
    v1.close();

    const v2: Migration = {
      version: MIGRATIONS[0]!.version + 1,
      description: 'test: a column added by a later agent',
      up: (db) => db.exec('ALTER TABLE batches ADD COLUMN note TEXT'),
    };
    const upgraded = openBufferDatabase({ path, site: 'plant-01', migrations: [...MIGRATIONS.slice(0, 1), v2] });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(v2.version);
    expect(upgraded.prepare('SELECT seq, readings, note FROM batches').all()).toEqual([{ seq: 0, readings: 10, note: null }]);
    upgraded.close();
  });

  it('refuses a file written by a newer agent, naming both versions', () => {
    const path = join(dir.path, 'buffer.db');
    openBufferDatabase({ path, site: 'plant-01' }).close();
    const raw = new BetterSqlite3(path);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    let error: unknown;
    try {
      openBufferDatabase({ path, site: 'plant-01' });
    } catch (err) {
      error = err;
    }
    expect(isEdgeError(error, 'DCMMS_EDGE_BUFFER_NEWER_SCHEMA')).toBe(true);
    expect((error as Error).message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 5}`);
  });

  it("refuses another site's buffer", () => {
    const path = join(dir.path, 'buffer.db');
    openBufferDatabase({ path, site: 'plant-01' }).close();
    expect(() => openBufferDatabase({ path, site: 'plant-02' })).toThrow(/belongs to site plant-01/);
  });

  it('reports an unopenable path as a buffer I/O error', () => {
    writeFileSync(join(dir.path, 'not-a-dir'), 'a file where a directory should be');
    let error: unknown;
    try {
      openBufferDatabase({ path: join(dir.path, 'not-a-dir', 'buffer.db'), site: 'plant-01' });
    } catch (err) {
      error = err;
    }
    expect(isEdgeError(error)).toBe(true);
  });
});
