import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdapter, startModbusSimulator } from '@dcmms/protocol-adapters';
import type { ModbusSimulator } from '@dcmms/protocol-adapters';
import { parseSiteConfig } from '@dcmms/shared';
import { createEdgeAgent } from '../src/index.js';
import type { EdgeAgent } from '../src/index.js';
import { tempDir } from './support/temp-dir.js';
import { simulatedSite } from './support/site.js';
import { waitFor } from './support/wait.js';

let dir: ReturnType<typeof tempDir>;
let sim: ModbusSimulator;
const cleanups: (() => Promise<unknown> | void)[] = [];
beforeEach(async () => {
  dir = tempDir();
  sim = await startModbusSimulator({ profile: 'pv-inverter', seed: 9 });
  cleanups.push(() => sim.stop());
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
  dir.cleanup();
});

describe('a full disk', () => {
  it('turns the agent not ready with the reason and a metric, keeps alarming, and does not crash; a restart on the full file works', async () => {
    // The file cap (SQLite max_page_count) is reached before the byte limit: exactly a full disk.
    const input = simulatedSite({
      simPort: sim.port,
      url: 'mqtt://127.0.0.1:1',
      bufferPath: join(dir.path, 'buffer.db'),
      pollIntervalMs: 100,
      buffer: { maxFileBytes: 131_072, maxBytes: 250_000, maxPendingReadings: 5_000 },
      alarms: [{ id: 'volt', type: 'threshold', tag: 'inv1.ac_voltage_l1', hi: 1 }],
    });
    const make = (): EdgeAgent => {
      const a = createEdgeAgent({ config: parseSiteConfig(input), baseDir: dir.path, adapterFactory: (d) => createAdapter(d) });
      cleanups.push(() => a.stop());
      return a;
    };
    const agent = make();
    await agent.start();
    await waitFor(() => agent.buffer.stats().diskFull, 'the file to fill', 60_000);
    expect(agent.readiness()).toEqual({ ready: false, reasons: ['buffer: disk full'] });
    const metrics = await agent.registry.metrics();
    expect(metrics).toMatch(/dcmms_edge_buffer_disk_full 1/);
    expect(metrics).toMatch(/dcmms_edge_buffer_commit_failures_total [1-9]/);
    // Memory stays bounded while readings keep coming; the excess is counted for a gap record.
    await waitFor(() => agent.buffer.counters().droppedReadings.disk_full > 0, 'shedding', 30_000);
    expect(agent.buffer.stats().pendingReadings).toBeLessThanOrEqual(5_000);
    // Alarms are still evaluated locally.
    expect(agent.engine().lifecycleOf('volt:hi')?.state).toBe('unacked_active');
    await agent.stop();

    // The agent comes back up on the full file (no crash loop) and says why it is not ready.
    const again = make();
    await again.start();
    await waitFor(() => again.buffer.stats().diskFull, 'still full', 30_000);
    expect(again.readiness().reasons).toEqual(['buffer: disk full']);
  }, 120_000);
});
