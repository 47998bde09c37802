import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertEventSchema, parseSiteConfig, siteTags } from '@dcmms/shared';
import type { Database } from 'better-sqlite3';
import { openBufferDatabase } from '../src/index.js';
import { AlarmEngine } from '../src/alarms/engine.js';
import { AlarmJournal } from '../src/alarms/journal.js';
import { tempDir } from './support/temp-dir.js';

const T0 = 1_700_000_000_000;
const config = parseSiteConfig({
  site: 'plant-01',
  devices: [{ protocol: 'modbus-tcp', name: 'inv1', host: 'h', tags: [{ name: 'inv1.trip', register: 'coil', address: 0, type: 'bool' }] }],
  alarms: [{ id: 'trip', type: 'trip', tag: 'inv1.trip' }],
});

let dir: ReturnType<typeof tempDir>;
let db: Database;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  if (db?.open) db.close();
  dir.cleanup();
});

const open = () => (db = openBufferDatabase({ path: join(dir.path, 'b.db'), site: 'plant-01' }));

function engine(journal: AlarmJournal) {
  return new AlarmEngine({ site: 'plant-01', rules: config.alarms, tags: siteTags(config), now: T0, restored: journal.loadLifecycles(), pending: journal.loadPending() });
}

describe('AlarmJournal', () => {
  it('numbers events, keeps them until sent, and restores lifecycles and kept acks after a restart', () => {
    const journal = new AlarmJournal({ db: open() });
    const e = engine(journal);
    const raised = journal.record(e.onReadings([{ tag: 'inv1.trip', ts: T0, value: true, quality: 'good' }], T0));
    const cleared = journal.record(e.onReadings([{ tag: 'inv1.trip', ts: T0 + 1, value: false, quality: 'good' }], T0));
    expect([...raised, ...cleared].map((x) => x.eventSeq)).toEqual([0, 1]);
    for (const x of [...raised, ...cleared]) expect(alertEventSchema.safeParse(x).success).toBe(true);
    journal.record(e.applyAction({ site: 'plant-01', alertId: 'trip', occurrence: 2, action: 'acknowledge', actor: 'bob', ts: T0 }, T0).output);
    expect(journal.unsent(-1, 10).map((x) => x.eventSeq)).toEqual([0, 1]);
    journal.markSent([0]);
    expect(journal.stats()).toMatchObject({ unsent: 1, lastEventSeq: 1 });
    db.close();

    const again = new AlarmJournal({ db: open() });
    expect(again.unsent(-1, 10).map((x) => JSON.parse(x.body).kind)).toEqual(['cleared']);
    const restored = engine(again);
    expect(restored.lifecycleOf('trip')).toMatchObject({ state: 'unacked_rtn', occurrence: 1 });
    expect(restored.pendingActions().map((a) => a.occurrence)).toEqual([2]);
    const out = restored.onReadings([{ tag: 'inv1.trip', ts: T0 + 5, value: true, quality: 'good' }], T0);
    const events = again.record(out);
    expect(events.map((x) => `${x.eventSeq} ${x.kind} ${x.occurrence}`)).toEqual(['2 raised 2', '3 acknowledged 2']);
    expect(again.loadPending()).toEqual([]);
  });

  it('holds events in memory while writes fail and writes them, in order, once they succeed', () => {
    const journal = new AlarmJournal({ db: open() });
    // Every write now fails (as on a full disk or a read-only remount).
    db.pragma('query_only = ON');
    const e = engine(journal);
    journal.record(e.onReadings([{ tag: 'inv1.trip', ts: T0, value: true, quality: 'good' }], T0));
    journal.record(e.onReadings([{ tag: 'inv1.trip', ts: T0 + 1, value: false, quality: 'good' }], T0));
    expect(journal.stats()).toMatchObject({ failing: true, waitingInMemory: 2, unsent: 0 });
    expect(journal.unsent(-1, 10)).toEqual([]);
    db.pragma('query_only = OFF');
    expect(journal.flush()).toBe(true);
    expect(journal.unsent(-1, 10).map((x) => x.eventSeq)).toEqual([0, 1]);
    expect(journal.stats()).toMatchObject({ failing: false, waitingInMemory: 0, unsent: 2 });
  });
});
