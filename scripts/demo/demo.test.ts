import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { DemoOptionsInput } from './options.js';
import { startDemo, type DemoHandle } from './run.js';
import { exerciseFirstStart, exerciseRestart, type FirstStartFacts } from './test-scenario.js';

/**
 * `npm start` in-process, on free ports and a temporary data folder, with the demo's timings
 * shortened (alarm on-delay 1 s, polls every 500 ms): what a newcomer sees through the API,
 * then the same again after a restart on the same data.
 */
describe('npm start: the all-in-one demo (embedded engines)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcmms-demo-'));
  const options: DemoOptionsInput = { dataDir: dir, apiPort: 0, mqttPort: 0, edgeHttpPort: 0, alarmDelayMs: 1000, pollIntervalMs: 500, logLevel: 'debug' };
  let demo: DemoHandle | null = null;
  let first: FirstStartFacts | null = null;

  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds everything, shows the site online with every tag, the alarm acknowledged down to the edge, a work order through its states', async () => {
    demo = await startDemo(options);
    first = await exerciseFirstStart(demo);
    await demo.stop();
    demo = null;
  }, 120_000);

  it('a restart on the same data folder reuses it: no second seeding, the same login, data flowing again', async () => {
    if (!first) throw new Error('the first start failed');
    demo = await startDemo(options);
    await exerciseRestart(demo, first);
  }, 120_000);
});
