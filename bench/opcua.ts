/**
 * bench:opcua: value changes per second that one OPC-UA subscription delivers to the sink.
 *
 * The simulator (dcmms-sim opcua --profile register-bank: 2,000 variables) runs in a child
 * process and changes every variable every STEP ms, so it offers 2,000 * 1000 / STEP value
 * changes/s; the reference is that offered rate, measured from the values received
 * (distinct source timestamps per variable), so ratio = delivered / offered. One
 * subscription, publishing interval 50 ms, sampling interval 0 (as fast as the server),
 * queue size 1 (latest value), which is how the edge agent subscribes to fast items.
 */
import { deviceConfigSchema, type OpcuaDeviceConfig } from '@dcmms/shared';
import { createOpcuaAdapter, simulatorOpcuaDevice } from '@dcmms/protocol-adapters';
import { figure, printReport } from './lib/report.js';
import { startChildSimulator } from './lib/simulator.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const STEP_MS = Number(process.env['BENCH_STEP_MS'] ?? 100);

const sim = await startChildSimulator(['opcua', '--port', '0', '--profile', 'register-bank', '--update-ms', String(STEP_MS), '--step-ms', String(STEP_MS)]);
try {
  const config = deviceConfigSchema.parse(
    simulatorOpcuaDevice('register-bank', sim.info.endpoint!, {
      name: 'bank',
      extra: { subscription: { publishingIntervalMs: 50, samplingIntervalMs: 0, queueSize: 1, maxNotificationsPerPublish: 0 } },
    }),
  ) as OpcuaDeviceConfig;
  const adapter = createOpcuaAdapter(config);
  let changes = 0;
  let bad = 0;
  let counting = false;
  /** Source timestamps seen: the server's update steps that reached us. */
  const steps = new Set<number>();
  await adapter.start({
    readings: (_d, rs) => {
      if (!counting) return;
      changes += rs.length;
      for (const r of rs) {
        if (r.quality !== 'good') bad++;
        steps.add(r.ts);
      }
    },
    state: () => undefined,
  });
  const deadline = Date.now() + 60_000;
  while (adapter.state() !== 'connected') {
    if (Date.now() > deadline) throw new Error('the adapter did not connect');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 2000)); // warm-up: initial values, JIT
  const cpu = process.cpuUsage();
  const start = performance.now();
  counting = true;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  counting = false;
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  await adapter.stop();
  const offered = (2000 * 1000) / STEP_MS;
  const delivered = changes / wall;
  printReport({
    bench: 'opcua',
    title: 'OPC-UA subscription: value changes delivered per second (2,000 monitored items, one subscription)',
    preamble: [
      `simulator: dcmms-sim opcua --profile register-bank --update-ms ${STEP_MS} in a child process (node-opcua server); ${SECONDS} s after a 2 s warm-up`,
      `bad readings: ${bad}; server update steps seen: ${steps.size} of ${Math.round((wall * 1000) / STEP_MS)} scheduled (a loaded server publishes fewer)`,
    ],
    figures: [
      figure({ name: 'value changes/s delivered', unit: 'changes/s', measured: delivered, reference: offered, target: 'report' }),
      figure({ name: 'changes delivered per change published', unit: 'ratio', measured: changes / Math.max(1, steps.size * 2000), target: '1.0 = nothing lost' }),
      figure({ name: 'CPU s per 1,000 changes (client)', unit: 'cpu-s/1000', measured: (used.user + used.system) / 1e6 / (changes / 1000) }),
    ],
    notes: ['reference = value changes the simulator offers per second (2,000 variables changing every step); ratio = delivered / offered'],
  });
} finally {
  await sim.stop();
}
process.exit(0);
