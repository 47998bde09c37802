import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { stringify } from 'yaml';
import { startModbusSimulator } from '@dcmms/protocol-adapters';
import type { ModbusSimulator } from '@dcmms/protocol-adapters';
import { tempDir } from './support/temp-dir.js';
import { CloudSink } from './support/cloud-sink.js';
import { startTestBroker } from './support/aedes-broker.js';
import { simulatedSite } from './support/site.js';
import { spawnAgent } from './support/agent-process.js';
import type { AgentProcess } from './support/agent-process.js';
import { waitFor } from './support/wait.js';

let dir: ReturnType<typeof tempDir>;
let sim: ModbusSimulator;
const cleanups: (() => Promise<unknown> | void)[] = [];
beforeEach(async () => {
  dir = tempDir();
  sim = await startModbusSimulator({ profile: 'pv-inverter', seed: 5 });
  cleanups.push(() => sim.stop());
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
  dir.cleanup();
});

const POLL_MS = 200;
const COMMIT_MS = 100;

describe('kill -9 of the agent process', () => {
  it('restarts on the same buffer: no committed batch lost, no duplicate beyond what was in flight, at most the last commit interval missing', async () => {
    const sink = new CloudSink();
    const b = await startTestBroker({ pubackDelayMs: 20, onPublish: (t, p) => sink.accept(t, p) });
    cleanups.push(() => b.stop());
    const bufferPath = join(dir.path, 'buffer.db');
    const configPath = join(dir.path, 'site.yaml');
    writeFileSync(configPath, stringify(simulatedSite({ simPort: sim.port, url: b.url, bufferPath, pollIntervalMs: POLL_MS, buffer: { commitIntervalMs: COMMIT_MS } })));
    const run = (): AgentProcess => {
      const p = spawnAgent(['run', '--config', configPath]);
      cleanups.push(() => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        return p.exited;
      });
      return p;
    };

    const first = run();
    await waitFor(() => sink.uniqueBatches().length >= 30, `data from the first process\n${first.output()}`, 60_000);
    const killAt = Date.now();
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const beforeKill = sink.uniqueBatches().length;

    const second = run();
    await waitFor(() => sink.uniqueBatches().length >= beforeKill + 30, `data from the second process\n${second.output()}`, 60_000);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(second.output()).toContain('edge agent stopped');

    // The file is intact.
    const db = new BetterSqlite3(bufferPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const left = db.prepare<[], { seq: number }>('SELECT seq FROM batches WHERE acked = 0').all().map((r) => r.seq);
    db.close();

    expect(sink.errors).toEqual([]);
    // Every committed batch arrived (or is still buffered after the clean stop): no hole in the seqs.
    const seqs = [...new Set([...sink.uniqueBatches().map((x) => x.seq), ...left])].sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    // A reading is never in two batches (readingKeys throws), and resends are bounded by the in-flight window.
    sink.readingKeys();
    expect(sink.duplicateBatches()).toBeLessThanOrEqual(16 + 8);
    // Per tag, the timeline has one hole: the restart. Before it, data reaches up to the last commit.
    const byTag = new Map<string, number[]>();
    for (const x of sink.uniqueBatches()) for (const r of x.readings) (byTag.get(r.tag) ?? byTag.set(r.tag, []).get(r.tag)!).push(r.ts);
    for (const [tag, ts] of byTag) {
      ts.sort((x, y) => x - y);
      const holes = ts.slice(1).map((t, i) => [ts[i]!, t] as const).filter(([a, c]) => c - a > 2 * POLL_MS);
      expect(holes.length, `holes of ${tag}: ${JSON.stringify(holes)}`).toBeLessThanOrEqual(1);
      const hole = holes[0];
      if (hole !== undefined) {
        expect(hole[0]).toBeLessThanOrEqual(killAt);
        expect(hole[1]).toBeGreaterThan(killAt);
        // Readings lost to the kill: at most the open commit window (plus one poll and scheduling slack).
        expect(killAt - hole[0]).toBeLessThanOrEqual(COMMIT_MS + POLL_MS + 400);
      }
    }
  }, 180_000);
});
