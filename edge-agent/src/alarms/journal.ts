import type { Database, Statement } from 'better-sqlite3';
import { alertActionSchema, silentLogger } from '@dcmms/shared';
import type { AlertAction, AlertEvent, Logger } from '@dcmms/shared';
import { isDiskFullError } from '../buffer/sqlite-errors.js';
import type { EngineOutput } from './engine.js';
import type { Lifecycle } from './lifecycle.js';

export interface JournalOptions {
  readonly db: Database;
  readonly logger?: Logger;
}

export interface JournaledEvent {
  readonly eventSeq: number;
  readonly body: string;
}

interface Queued {
  readonly events: AlertEvent[];
  readonly points: Map<string, Lifecycle>;
  readonly removedPoints: string[];
  readonly pendingSet: AlertAction[];
  readonly pendingCleared: string[];
}

/**
 * The alarm journal: every lifecycle event with its per-site eventSeq, the lifecycle of
 * every point (so a restart resumes), and cloud acks kept for a future occurrence. Events
 * are never dropped: if the disk is full they wait in memory, in order, and are written by
 * the next `flush()`; the uplink sends only what is on disk.
 */
export class AlarmJournal {
  private readonly db: Database;
  private readonly log: Logger;
  private nextEventSeq: number;
  private readonly queue: Queued[] = [];
  private unsentCount: number;
  private failing = false;
  private readonly stmt: {
    insertEvent: Statement<[number, string, number, number, string]>;
    upsertPoint: Statement<[string, string]>;
    deletePoint: Statement<[string]>;
    upsertPending: Statement<[string, string]>;
    deletePending: Statement<[string]>;
    setMeta: Statement<[number]>;
    unsent: Statement<[number, number], JournaledEvent>;
    markSent: Statement<[number]>;
    prune: Statement<[number]>;
  };

  constructor(options: JournalOptions) {
    this.db = options.db;
    this.log = options.logger ?? silentLogger;
    const db = this.db;
    this.stmt = {
      insertEvent: db.prepare('INSERT INTO alarm_events (event_seq, alert_id, occurrence, ts, body) VALUES (?, ?, ?, ?, ?)'),
      upsertPoint: db.prepare('INSERT INTO alarm_points (alert_id, state) VALUES (?, ?) ON CONFLICT (alert_id) DO UPDATE SET state = excluded.state'),
      deletePoint: db.prepare('DELETE FROM alarm_points WHERE alert_id = ?'),
      upsertPending: db.prepare('INSERT INTO alarm_pending_actions (alert_id, body) VALUES (?, ?) ON CONFLICT (alert_id) DO UPDATE SET body = excluded.body'),
      deletePending: db.prepare('DELETE FROM alarm_pending_actions WHERE alert_id = ?'),
      setMeta: db.prepare("INSERT INTO meta (key, value) VALUES ('next_event_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      unsent: db.prepare('SELECT event_seq AS eventSeq, body FROM alarm_events WHERE sent = 0 AND event_seq > ? ORDER BY event_seq LIMIT ?'),
      markSent: db.prepare('UPDATE alarm_events SET sent = 1 WHERE event_seq = ? AND sent = 0'),
      prune: db.prepare('DELETE FROM alarm_events WHERE sent = 1 AND ts < ?'),
    };
    const stored = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'next_event_seq'").get()?.value;
    const max = db.prepare<[], { seq: number | null }>('SELECT max(event_seq) AS seq FROM alarm_events').get()?.seq ?? -1;
    this.nextEventSeq = Math.max(stored ?? 0, max + 1);
    this.unsentCount = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM alarm_events WHERE sent = 0').get()!.n;
  }

  loadLifecycles(): Map<string, Lifecycle> {
    const out = new Map<string, Lifecycle>();
    for (const row of this.db.prepare<[], { alert_id: string; state: string }>('SELECT alert_id, state FROM alarm_points').all()) {
      out.set(row.alert_id, JSON.parse(row.state) as Lifecycle);
    }
    return out;
  }

  loadPending(): AlertAction[] {
    const out: AlertAction[] = [];
    for (const row of this.db.prepare<[], { body: string }>('SELECT body FROM alarm_pending_actions').all()) {
      const parsed = alertActionSchema.safeParse(JSON.parse(row.body));
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }

  /** Gives each event its eventSeq and writes events, point states and kept actions in one transaction. */
  record(output: EngineOutput): AlertEvent[] {
    if (output.events.length === 0 && output.points.size === 0 && output.removedPoints.length === 0 && output.pendingSet.length === 0 && output.pendingCleared.length === 0) {
      return [];
    }
    const events = output.events.map((e) => ({ ...e, eventSeq: this.nextEventSeq++ }));
    this.queue.push({ events, points: output.points, removedPoints: output.removedPoints, pendingSet: output.pendingSet, pendingCleared: output.pendingCleared });
    this.flush();
    return events;
  }

  /** Writes what waits in memory; true when nothing is left waiting. */
  flush(): boolean {
    if (this.queue.length === 0) return true;
    try {
      this.db.transaction(() => {
        for (const q of this.queue) {
          for (const e of q.events) this.stmt.insertEvent.run(e.eventSeq, e.alertId, e.occurrence, e.ts, JSON.stringify(e));
          for (const [id, lifecycle] of q.points) this.stmt.upsertPoint.run(id, JSON.stringify(lifecycle));
          for (const id of q.removedPoints) this.stmt.deletePoint.run(id);
          for (const id of q.pendingCleared) this.stmt.deletePending.run(id);
          for (const a of q.pendingSet) this.stmt.upsertPending.run(a.alertId, JSON.stringify(a));
        }
        this.stmt.setMeta.run(this.nextEventSeq);
      })();
    } catch (err) {
      if (!this.failing) {
        this.log.error({ event: 'alarm_journal_failed', err, diskFull: isDiskFullError(err), waiting: this.queue.length }, 'cannot write the alarm journal; events wait in memory and are retried');
      }
      this.failing = true;
      return false;
    }
    for (const q of this.queue) this.unsentCount += q.events.length;
    this.queue.length = 0;
    if (this.failing) this.log.info({ event: 'alarm_journal_recovered' }, 'alarm journal writes succeed again');
    this.failing = false;
    return true;
  }

  /** Journaled events not yet acknowledged by the cloud, in eventSeq order. */
  unsent(afterSeq: number, limit: number): JournaledEvent[] {
    return this.stmt.unsent.all(afterSeq, limit);
  }

  markSent(eventSeqs: readonly number[]): void {
    try {
      this.db.transaction(() => {
        for (const seq of eventSeqs) this.unsentCount -= this.stmt.markSent.run(seq).changes;
      })();
    } catch (err) {
      // Sent again after a restart: the cloud deduplicates on eventSeq.
      this.log.warn({ err }, 'could not record sent alarm events');
    }
  }

  /** Deletes delivered events older than `before` (the journal keeps a local history). */
  prune(before: number): void {
    try {
      this.stmt.prune.run(before);
    } catch (err) {
      this.log.warn({ err }, 'could not prune the alarm journal');
    }
  }

  stats(): { unsent: number; waitingInMemory: number; lastEventSeq: number | null; failing: boolean } {
    return {
      unsent: this.unsentCount,
      waitingInMemory: this.queue.reduce((n, q) => n + q.events.length, 0),
      lastEventSeq: this.nextEventSeq > 0 ? this.nextEventSeq - 1 : null,
      failing: this.failing,
    };
  }
}
