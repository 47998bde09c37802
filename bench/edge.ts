/**
 * npm run bench:edge: the edge agent's buffer, uplink and footprint, in one run.
 *
 *  1. Buffer inserts/s and bytes on disk per reading: the plant profile (bench/lib/plant-profile.ts,
 *     2,000 tags every second, values shaped like device registers) appended and committed in
 *     250 ms windows, as the agent does, into the real TelemetryBuffer (SQLite WAL,
 *     synchronous=FULL: an fsync per commit). Reference, same data and commits: the
 *     textbook compact schema, one row per reading (integer tag id, integer ts, value, quality).
 *  2. Backlog drain to a local broker (mosquitto, its own process) while live data flows:
 *     a 1,200,000-reading backlog in the buffer, then the Uplink connects with its default
 *     settings (backfill bounded at 250,000 readings/s), then again with the bound lifted (what the
 *     path can do), while 5,000 tags/s of live data keep being committed every 200 ms. Drain rate =
 *     backlog readings / time until the last backlog batch is PUBACKed; live latency = commit to
 *     PUBACK of each live batch committed during the drain. Reference: the same stored blobs
 *     published by a bare mqtt.js client, QoS 1, same window, no buffer bookkeeping.
 *  3. The agent (`dcmms-edge run` from its build, a child process) polling 5,000 Modbus tags every second from
 *     three simulators (in this process) and sending to mosquitto: RSS and CPU over a minute, with
 *     Node's default heap sizing and with --max-old-space-size=128. Reference for RSS: an idle
 *     Node process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { mqttTopic, systemClock, uplinkConfigSchema } from '@dcmms/shared';
import type { Reading, TelemetryBatch } from '@dcmms/shared';
import { AlarmJournal, TelemetryBuffer, Uplink, openBufferDatabase } from '@dcmms/edge-agent';
import type { BufferLimits } from '@dcmms/edge-agent';
import { getProfile, simulatorModbusDevice, startModbusSimulator } from '@dcmms/protocol-adapters';
import type { ModbusSimulator } from '@dcmms/protocol-adapters';
import { freePort, startMosquitto } from '../edge-agent/test/support/mosquitto.js';
import type { Mosquitto } from '../edge-agent/test/support/mosquitto.js';
import { plantProfile } from './lib/plant-profile.js';
import { figure, printReport } from './lib/report.js';
import type { Figure } from './lib/report.js';
import { median } from './lib/timing.js';

const SITE = 'pv-plant-07';
const INSERT_SECONDS = Number(process.env['BENCH_INSERT_SECONDS'] ?? 150);
const INSERT_RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const BACKLOG_READINGS = Number(process.env['BENCH_BACKLOG'] ?? 1_200_000);
const FOOTPRINT_SECONDS = Number(process.env['BENCH_FOOTPRINT_SECONDS'] ?? 60);
const LIMITS: BufferLimits = { maxBytes: 2 ** 40, maxAgeMs: 86_400_000, maxReadingsPerBatch: 10_000, maxBatchBytes: 256 * 1024, maxPendingReadings: 1_000_000 };

const work = mkdtempSync(join(tmpdir(), 'dcmms-bench-edge-'));
const cleanups: (() => Promise<unknown> | void)[] = [];
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each 1 s cycle cut into 250 ms commit windows by source time. */
function windows(batches: readonly TelemetryBatch[], ms = 250): Reading[][] {
  const out: Reading[][] = [];
  for (const b of batches) {
    const start = b.readings.reduce((m, r) => Math.min(m, r.ts), Number.POSITIVE_INFINITY);
    const parts: Reading[][] = [];
    for (const r of b.readings) (parts[Math.floor((r.ts - start) / ms)] ??= []).push(r);
    for (const p of parts) if (p !== undefined) out.push(p);
  }
  return out;
}

function fileBytes(path: string): number {
  let n = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      n += statSync(path + suffix).size;
    } catch {
      // absent
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// 1. Buffer inserts and disk use

interface InsertResult {
  readonly perSecond: number;
  readonly bytesPerReading: number;
}

/** Rate since `start`, then bytes on disk once the WAL is folded in; the file is removed. */
function measured(db: BetterSqlite3.Database, path: string, readings: number, start: bigint): InsertResult {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const bytes = fileBytes(path);
  rmSync(path, { force: true });
  return { perSecond: readings / seconds, bytesPerReading: bytes / readings };
}

function insertOurs(commits: readonly Reading[][], readings: number, run: number): InsertResult {
  const path = join(work, `ours-${run}.db`);
  const db = openBufferDatabase({ path, site: SITE });
  const buffer = new TelemetryBuffer({ db, site: SITE, clock: systemClock, limits: LIMITS });
  const start = process.hrtime.bigint();
  for (const c of commits) {
    buffer.append(c);
    buffer.commit();
  }
  return measured(db, path, readings, start);
}

function insertRowPerReading(commits: readonly Reading[][], readings: number, run: number): InsertResult {
  const path = join(work, `rows-${run}.db`);
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL); CREATE TABLE readings (tag_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL, quality INTEGER NOT NULL, acked INTEGER NOT NULL DEFAULT 0)');
  const insertTag = db.prepare('INSERT INTO tags (name) VALUES (?)');
  const insert = db.prepare('INSERT INTO readings (tag_id, ts, value, quality) VALUES (?, ?, ?, ?)');
  const ids = new Map<string, number>();
  const q = { good: 0, uncertain: 1, bad: 2 } as const;
  const start = process.hrtime.bigint();
  const commit = db.transaction((rs: readonly Reading[]) => {
    for (const r of rs) {
      let id = ids.get(r.tag);
      if (id === undefined) ids.set(r.tag, (id = Number(insertTag.run(r.tag).lastInsertRowid)));
      const v = typeof r.value === 'number' ? r.value : typeof r.value === 'boolean' ? (r.value ? 1 : 0) : null;
      insert.run(id, r.ts, v, q[r.quality]);
    }
  });
  for (const c of commits) commit(c);
  return measured(db, path, readings, start);
}

function benchInserts(): Figure[] {
  log(`1/3 buffer inserts: ${INSERT_SECONDS} s of the 2,000-tag plant profile, ${INSERT_RUNS} runs each`);
  const profile = plantProfile(1);
  const commits = windows(profile.batches(INSERT_SECONDS));
  const readings = commits.reduce((n, c) => n + c.length, 0);
  insertOurs(commits.slice(0, 40), commits.slice(0, 40).reduce((n, c) => n + c.length, 0), -1); // warm-up (JIT, codec caches)
  const ours: InsertResult[] = [];
  const rows: InsertResult[] = [];
  for (let run = 0; run < INSERT_RUNS; run++) {
    ours.push(insertOurs(commits, readings, run));
    rows.push(insertRowPerReading(commits, readings, run));
  }
  const oursRate = median(ours.map((r) => r.perSecond));
  const rowsRate = median(rows.map((r) => r.perSecond));
  const oursBytes = median(ours.map((r) => r.bytesPerReading));
  const rowsBytes = median(rows.map((r) => r.bytesPerReading));
  log(`   ${commits.length} commits, ${readings} readings; ours ${Math.round(oursRate)}/s ${oursBytes.toFixed(2)} B; row per reading ${Math.round(rowsRate)}/s ${rowsBytes.toFixed(2)} B`);
  return [
    figure({ name: 'buffer inserts (250 ms commits, fsync each)', unit: 'readings/s', measured: oursRate, reference: rowsRate, target: '>= 300,000 readings/s', met: oursRate >= 300_000 }),
    figure({ name: 'bytes on disk per reading', unit: 'B', measured: oursBytes, reference: rowsBytes, target: '<= 24 B', met: oursBytes <= 24 }),
    figure({ name: 'a day of 5,000 tags every 5 s on disk', unit: 'GB', measured: (oursBytes * 5000 * 17_280) / 1e9, reference: (rowsBytes * 5000 * 17_280) / 1e9, target: 'about 2 GB' }),
  ];
}

// ---------------------------------------------------------------------------------------
// 2. Backlog drain with live data

/** Live data: 5,000 tags a second, as 200 ms commits of 1,000 readings (two plant profiles and a half). */
function liveSource(): () => Reading[] {
  const profiles = [plantProfile(2), plantProfile(3), plantProfile(4)];
  let queue: Reading[] = [];
  return () => {
    if (queue.length < 1000) {
      const t = Date.now();
      const tags = profiles.flatMap((p, i) => p.batches(1, t)[0]!.readings.map((r) => ({ ...r, tag: `p${i}/${r.tag}`, ts: t + (r.ts % 1000) })));
      queue = queue.concat(tags.slice(0, 5000));
    }
    return queue.splice(0, 1000);
  };
}

async function benchDrain(broker: Mosquitto, rateCap: number | null): Promise<Figure[]> {
  log(`2/3 backlog drain: ${BACKLOG_READINGS} readings to mosquitto while 5,000 tags/s of live data flow, ${rateCap === null ? 'default rate bound' : `rate bound lifted to ${rateCap}/s`}`);
  const path = join(work, `drain-${rateCap ?? 'default'}.db`);
  const db = openBufferDatabase({ path, site: SITE });
  let uplink: Uplink | null = null;
  const buffer = new TelemetryBuffer({ db, site: SITE, clock: systemClock, limits: LIMITS, streamFor: () => uplink?.laneForCommit() ?? 'backfill' });
  const journal = new AlarmJournal({ db });
  const profile = plantProfile(5);
  let backlog = 0;
  while (backlog < BACKLOG_READINGS) {
    for (const c of windows(profile.batches(60, Date.now() - 3_600_000 + backlog))) {
      buffer.append(c);
      buffer.commit();
      backlog += c.length;
    }
  }
  const lastBacklogSeq = buffer.peekNextSeq() - 1;
  const backlogBlobs = buffer.readUnacked(0, lastBacklogSeq + 1, 1_000_000);

  // Reference: the same blobs, published by a bare client with the same in-flight window.
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const window = uplinkConfigSchema.parse({ url }).backfillInFlight;
  const bare = await mqtt.connectAsync(url, { clientId: 'bench-bare', clean: true });
  const bareStart = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    let next = 0;
    let inFlight = 0;
    const pump = (): void => {
      while (inFlight < window && next < backlogBlobs.length) {
        const blob = backlogBlobs[next++]!;
        inFlight++;
        bare.publish(mqttTopic(SITE, 'telemetry'), blob.body, { qos: 1 }, () => {
          inFlight--;
          if (next >= backlogBlobs.length && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const bareRate = backlog / (Number(process.hrtime.bigint() - bareStart) / 1e9);
  await bare.endAsync();

  // Ours: the Uplink with its defaults (backfill bounded at 250,000 readings/s), live data flowing.
  const committedAt = new Map<number, number>();
  const ackedAt = new Map<number, number>();
  buffer.onCommit((last) => committedAt.set(last, performance.now()));
  const ack = buffer.ack.bind(buffer);
  buffer.ack = (seq, stream) => {
    ackedAt.set(seq, performance.now());
    return ack(seq, stream);
  };
  const up = new Uplink({
    site: SITE,
    config: uplinkConfigSchema.parse({ url, ...(rateCap === null ? {} : { backfillReadingsPerSecond: rateCap }) }),
    credentials: {},
    buffer,
    journal,
    clock: systemClock,
    status: () => ({ appliedConfigVersion: null }),
    onDownlink: () => undefined,
  });
  uplink = up;
  const live = liveSource();
  const liveTimer = setInterval(() => {
    buffer.append(live());
    buffer.commit();
  }, 200);
  const start = performance.now();
  up.start();
  let drainedAt = 0;
  while (drainedAt === 0) {
    await sleep(20);
    let done = true;
    for (let s = 0; s <= lastBacklogSeq; s += 997) if (!ackedAt.has(s)) done = false;
    if (done && ackedAt.has(lastBacklogSeq) && buffer.readUnacked(0, lastBacklogSeq + 1, 1).length === 0) drainedAt = performance.now();
    if (performance.now() - start > 300_000) throw new Error('the backlog did not drain within 5 minutes');
  }
  await sleep(1000);
  clearInterval(liveTimer);
  await up.stop();
  db.close();
  const drainRate = backlog / ((drainedAt - start) / 1000);
  const latencies: number[] = [];
  for (const [seq, at] of committedAt) {
    if (seq <= lastBacklogSeq || at > drainedAt) continue;
    const acked = ackedAt.get(seq);
    if (acked !== undefined) latencies.push(acked - at);
  }
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? Number.NaN;
  const p50 = latencies[Math.floor(latencies.length / 2)] ?? Number.NaN;
  log(`   drained ${backlog} readings (${lastBacklogSeq + 1} batches) in ${Math.round(drainedAt - start)} ms; ${latencies.length} live commits during the drain, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; bare client ${Math.round(bareRate)}/s`);
  const label = rateCap === null ? 'default bound 250,000/s' : 'bound lifted';
  if (rateCap !== null) {
    // Drains in a fraction of a second: too few live commits for a latency figure.
    return [figure({ name: `backlog drain to a local broker, live flowing (${label})`, unit: 'readings/s', measured: drainRate, reference: bareRate })];
  }
  return [
    figure({ name: `backlog drain to a local broker, live flowing (${label})`, unit: 'readings/s', measured: drainRate, reference: bareRate, target: '>= 100,000 readings/s', met: drainRate >= 100_000 }),
    figure({ name: `live latency p99 during the drain (${label})`, unit: 'ms', measured: p99, target: '< 2,000 ms', met: p99 < 2000 }),
    figure({ name: `live latency p50 during the drain (${label})`, unit: 'ms', measured: p50 }),
  ];
}

// ---------------------------------------------------------------------------------------
// 3. Agent footprint

interface ProcSample {
  readonly cpuTicks: number;
  readonly rssBytes: number;
  readonly hwmBytes: number;
}

function sample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { cpuTicks, rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

async function benchFootprint(broker: Mosquitto, nodeFlags: readonly string[]): Promise<Figure[]> {
  const flagsLabel = nodeFlags.length === 0 ? 'node defaults' : nodeFlags.join(' ');
  log(`3/3 agent footprint: 5,000 Modbus tags every second for ${FOOTPRINT_SECONDS} s (agent in its own process, ${flagsLabel})`);
  const sims: ModbusSimulator[] = [];
  const bank = getProfile('register-bank');
  const devices = [];
  for (const [i, count] of [2000, 2000, 1000].entries()) {
    const sim = await startModbusSimulator({ profile: 'register-bank', seed: i + 1 });
    sims.push(sim);
    cleanups.push(() => sim.stop());
    const device = simulatorModbusDevice({ ...bank, points: bank.points.slice(0, count) }, { host: '127.0.0.1', port: sim.port }, { name: `bank${i + 1}`, pollIntervalMs: 1000 });
    devices.push(device);
  }
  const dir = mkdtempSync(join(work, 'agent-'));
  const httpPort = await freePort();
  /** Sum of a counter over its label sets, from the agent's /metrics. */
  const counter = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    return sum;
  };
  const configPath = join(dir, 'site.yaml');
  writeFileSync(
    configPath,
    stringify({ site: SITE, devices, buffer: { path: join(dir, 'buffer.db') }, uplink: { url: `mqtt://127.0.0.1:${broker.port}` }, http: { host: '127.0.0.1', port: httpPort } }),
  );
  // Measured as it runs in production: the compiled JavaScript (built here, incrementally).
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', join(root, 'edge-agent/tsconfig.build.json')], { stdio: 'inherit' });
  const main = join(root, 'edge-agent/dist/cli/main.js');
  const child = spawn(process.execPath, [...nodeFlags, main, 'run', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  cleanups.push(() => void idle.kill('SIGKILL'));

  // Warm-up: connections, plans, JIT.
  await sleep(15_000);
  if (child.exitCode !== null) throw new Error(`the agent exited:\n${out}`);

  const a = sample(child.pid!);
  const readingsA = await counter('dcmms_edge_readings_total');
  const ackedA = await counter('dcmms_edge_uplink_acked_readings_total');
  const t0 = performance.now();
  const rss: number[] = [];
  let atMax = '';
  for (let s = 0; s < FOOTPRINT_SECONDS; s++) {
    await sleep(1000);
    const now = sample(child.pid!).rssBytes;
    if (now > Math.max(0, ...rss)) {
      const m = ((await (await fetch(`http://127.0.0.1:${httpPort}/status`)).json()) as { memory: Record<string, number> }).memory;
      atMax = Object.entries(m).map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(1)}`).join(', ');
    }
    rss.push(now);
  }
  const b = sample(child.pid!);
  const readingsB = await counter('dcmms_edge_readings_total');
  const ackedB = await counter('dcmms_edge_uplink_acked_readings_total');
  const errors = await counter('dcmms_edge_device_errors_total');
  const wall = (performance.now() - t0) / 1000;
  const idleRss = sample(idle.pid!).rssBytes;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const cpuPercent = ((b.cpuTicks - a.cpuTicks) / CLK_TCK / wall) * 100;
  const rssMax = Math.max(...rss);
  const rate = (readingsB - readingsA) / wall;
  log(`   ${Math.round(rate)} readings/s polled, ${Math.round((ackedB - ackedA) / wall)} readings/s acknowledged by the broker, ${errors} device errors, in ${wall.toFixed(1)} s; CPU ${cpuPercent.toFixed(1)} % of one core; RSS ${(b.rssBytes / 2 ** 20).toFixed(1)} MB (max ${(rssMax / 2 ** 20).toFixed(1)}, high-water ${(b.hwmBytes / 2 ** 20).toFixed(1)}); idle node ${(idleRss / 2 ** 20).toFixed(1)} MB`);
  log(`   memory at the RSS maximum (MB): ${atMax}`);
  if (/"level":"(error|fatal)"/.test(out)) log(`   agent errors:\n${out.split('\n').filter((l) => /"level":"(error|fatal)"/.test(l)).slice(0, 5).join('\n')}`);
  return [
    figure({ name: `agent RSS, 5,000 tags at 1 s, max over the run (${flagsLabel})`, unit: 'MB', measured: rssMax / 2 ** 20, reference: idleRss / 2 ** 20, target: '<= 150 MB', met: rssMax <= 150 * 2 ** 20 }),
    figure({ name: `agent RSS, median over the run (${flagsLabel})`, unit: 'MB', measured: median(rss) / 2 ** 20, reference: idleRss / 2 ** 20 }),
    figure({ name: `agent CPU, 5,000 tags at 1 s (${flagsLabel})`, unit: '% of one core', measured: cpuPercent }),
    figure({ name: `readings polled and acknowledged (${flagsLabel})`, unit: 'readings/s', measured: Math.min(rate, (ackedB - ackedA) / wall), target: '5,000 readings/s', met: rate >= 4900 && (ackedB - ackedA) / wall >= 4900 }),
  ];
}

async function main(): Promise<void> {
  try {
    const figures: Figure[] = [];
    if (process.env['BENCH_ONLY'] === 'footprint') {
      const broker = await startMosquitto(mkdtempSync(join(work, 'mosquitto-')));
      cleanups.push(() => broker.stop());
      figures.push(...(await benchFootprint(broker, (process.env['BENCH_AGENT_NODE_FLAGS'] ?? '').split(' ').filter(Boolean))));
      printReport({ bench: 'edge-footprint', title: 'edge agent footprint only', figures });
      return;
    }
    if (process.env['BENCH_ONLY'] === 'drain') {
      const broker = await startMosquitto(mkdtempSync(join(work, 'mosquitto-')));
      cleanups.push(() => broker.stop());
      figures.push(...(await benchDrain(broker, null)), ...(await benchDrain(broker, 10_000_000)));
      printReport({ bench: 'edge-drain', title: 'edge agent drain only', figures });
      return;
    }
    figures.push(...benchInserts());
    const broker = await startMosquitto(mkdtempSync(join(work, 'mosquitto-')));
    cleanups.push(() => broker.stop());
    figures.push(...(await benchDrain(broker, null)));
    figures.push(...(await benchDrain(broker, 10_000_000)));
    figures.push(...(await benchFootprint(broker, [])));
    // The heap cap the K3s manifest should set on a small edge box (NODE_OPTIONS): V8 then collects before growing.
    figures.push(...(await benchFootprint(broker, ['--max-old-space-size=128'])));
    printReport({
      bench: 'edge',
      title: 'edge agent: buffer, uplink drain, footprint',
      preamble: [
        `inserts: plant profile (2,000 tags, register-shaped values), ${INSERT_SECONDS} s, 250 ms commits with fsync; reference: one SQLite row per reading (integer tag id and ts)`,
        `drain: ${BACKLOG_READINGS} backlog readings to mosquitto (own process) with 5,000 tags/s live; reference: a bare mqtt.js client publishing the same blobs, same window`,
        'footprint: `dcmms-edge run` in its own process, 3 Modbus simulators (in the bench process), mosquitto; reference RSS: an idle node process',
      ],
      figures,
      notes: ['The machine is shared (2 cores): figures vary with what else runs; see the load average above.'],
    });
  } finally {
    for (const c of cleanups.reverse()) await c();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
