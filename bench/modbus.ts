/**
 * bench:modbus: tags/s that one Modbus TCP adapter sustains polling the simulator over
 * loopback, with the request planner (coalesced reads of up to 125 registers) next to one
 * request per tag (the reference) in the same run, and CPU seconds per 1,000 tags.
 *
 * The simulator runs in a child process (dcmms-sim, profile register-bank: 2,000 tags,
 * uint16 and float32 alternating over 3,000 registers), so the CPU figures are the
 * adapter's. Each mode polls the whole device back to back (readOnce in a loop) for a fixed
 * time after a warm-up; the device's concurrency is 1 (one request in flight), the default.
 */
import { deviceConfigSchema, type ModbusDeviceConfig } from '@dcmms/shared';
import { createModbusAdapter, simulatorModbusDevice } from '@dcmms/protocol-adapters';
import { figure, printReport } from './lib/report.js';
import { startChildSimulator } from './lib/simulator.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);

interface Run {
  readonly tagsPerSecond: number;
  readonly cpuSecondsPer1000: number;
  readonly requestsPerSecond: number;
  readonly bad: number;
}

async function measure(port: number, coalesce: boolean): Promise<Run> {
  const config = deviceConfigSchema.parse(simulatorModbusDevice('register-bank', { host: '127.0.0.1', port }, { name: 'bank', extra: { timeoutMs: 2000 } })) as ModbusDeviceConfig;
  const adapter = createModbusAdapter(config, { coalesce });
  // Warm-up: connection, JIT.
  const warmUntil = performance.now() + 1000;
  while (performance.now() < warmUntil) await adapter.readOnce();
  const before = adapter.counters();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let tags = 0;
  let bad = 0;
  while (performance.now() - start < SECONDS * 1000) {
    const rs = await adapter.readOnce();
    tags += rs.length;
    for (const r of rs) if (r.quality !== 'good') bad++;
  }
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const requests = adapter.counters().requests - before.requests;
  await adapter.stop();
  return { tagsPerSecond: tags / wall, cpuSecondsPer1000: (used.user + used.system) / 1e6 / (tags / 1000), requestsPerSecond: requests / wall, bad };
}

const sim = await startChildSimulator(['modbus', '--port', '0', '--profile', 'register-bank']);
try {
  const coalesced = await measure(sim.info.port, true);
  const perTag = await measure(sim.info.port, false);
  if (coalesced.bad || perTag.bad) throw new Error(`bad readings during the bench: ${coalesced.bad} coalesced, ${perTag.bad} per tag`);
  printReport({
    bench: 'modbus',
    title: 'Modbus TCP adapter polling the simulator over loopback (2,000 tags, one connection, concurrency 1)',
    preamble: [
      `simulator: dcmms-sim modbus --profile register-bank in a child process; ${SECONDS} s per mode after a 1 s warm-up`,
      `coalesced: ${Math.round(coalesced.requestsPerSecond).toLocaleString('en-US')} requests/s; per tag: ${Math.round(perTag.requestsPerSecond).toLocaleString('en-US')} requests/s`,
    ],
    figures: [
      figure({ name: 'tags/s, planner (coalesced)', unit: 'tags/s', measured: coalesced.tagsPerSecond, reference: perTag.tagsPerSecond, target: '>= 100,000 tags/s and >= 10x per-tag', met: coalesced.tagsPerSecond >= 100_000 && coalesced.tagsPerSecond >= 10 * perTag.tagsPerSecond }),
      figure({ name: 'CPU s per 1,000 tags, planner', unit: 'cpu-s/1000 tags', measured: coalesced.cpuSecondsPer1000, reference: perTag.cpuSecondsPer1000 }),
      figure({ name: 'tags/s, one request per tag', unit: 'tags/s', measured: perTag.tagsPerSecond }),
    ],
    notes: ['reference = one request per tag, same adapter, same simulator, same run; ratio = planner / per-tag'],
  });
} finally {
  await sim.stop();
}
process.exit(0);
