/**
 * bench:pipeline: the cloud intake on this machine's engines, in one run.
 *
 *   (a) direct ILP: rows/s one process writes straight into QuestDB with
 *       @questdb/nodejs-client's HTTP transport and the worker's own line encoder (rows
 *       prepared in advance, flushes of 100,000 rows), until visible to queries: the reference.
 *       (a') the same rows through the client's Sender API (its own buffer), for comparison:
 *       the reason the worker encodes lines itself.
 *   (b) full path: readings/s sustained from MQTT publishers (one per site, plant-profile
 *       batches of ~2,000 readings pre-encoded with the shared codec, QoS 1, 16 in flight)
 *       through the gateway (its own process), Kafka (acks=all) and one worker (its own
 *       process), until visible in QuestDB. Ratio b/a.
 *   (c) publish-to-visible latency at half of (b): paced publishing, p50/p99 from the moment
 *       a batch is handed to MQTT until a query sees it (polled every 25 ms, so the figures
 *       carry up to ~25 ms of polling error).
 *
 * CPU seconds per process during (b) say where the time goes. The machine is shared with
 * colleagues' work (2 cores): read the load average printed in the header.
 *
 * BENCH_READINGS [2000000] readings for (a) and (b); BENCH_SITES [8]; BENCH_LATENCY_SECONDS [20].
 *
 * Measured when it was written (2 vCPU EPYC shared with other work, load average ~5):
 * (a) 347k rows/s, (a') 84k rows/s, (b) 271k readings/s = 0.78 of (a), latency at b/2
 * p50 224 ms / p99 748 ms. During (b) QuestDB used 6.6 CPU-s, the worker 3.8, the gateway 1.7,
 * Kafka 0.5 over 7.4 s: QuestDB's ingestion and the worker's decode + line encoding are the
 * cost; the gateway had every PUBACK out after 2.4 s. (b) is a 2M-reading burst, not an hour.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { KAFKA_TOPICS, encodeTelemetryBatch, type TelemetryBatch } from '@dcmms/shared';
import { createEventLog } from '../cloud/src/kafka/index.js';
import { Sender } from '@questdb/nodejs-client';
import { createQuestDbTelemetryStore, rowsOfBatch, type QuestDbTelemetryStore } from '../cloud/src/stores/telemetry/index.js';
import { writeSiteCredential } from '../cloud/src/gateway/credentials-file.js';
import { engines, up } from '../scripts/engines/engines.js';
import { engineEnv, loadSettings } from '../scripts/engines/settings.js';
import { stopChild } from './lib/child.js';
import { cpuSeconds } from './lib/cpu.js';
import { figure, printReport } from './lib/report.js';
import { plantProfile } from './lib/plant-profile.js';

const READINGS = Number(process.env['BENCH_READINGS'] ?? 2_000_000);
const SITES = Number(process.env['BENCH_SITES'] ?? 8);
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 20);
const REPO = fileURLToPath(new URL('../', import.meta.url));
const log = (line: string) => process.stderr.write(`bench:pipeline: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `seconds` one-second plant batches per site, generated in chunks and encoded once. */
function workload(sites: readonly string[], secondsPerSite: number, startMs: number): { batches: TelemetryBatch[][]; payloads: Buffer[][]; readings: number } {
  const profile = plantProfile(7);
  const batches: TelemetryBatch[][] = sites.map(() => []);
  const payloads: Buffer[][] = sites.map(() => []);
  let readings = 0;
  const chunk = 20;
  for (let s0 = 0; s0 < secondsPerSite; s0 += chunk) {
    const n = Math.min(chunk, secondsPerSite - s0);
    const generated = profile.batches(n, startMs + s0 * 1000);
    sites.forEach((site, i) => {
      generated.forEach((g, k) => {
        const b: TelemetryBatch = { ...g, site, seq: s0 + k + 1 };
        batches[i]!.push(b);
        payloads[i]!.push(encodeTelemetryBatch(b));
        readings += b.readings.length;
      });
    });
  }
  return { batches, payloads, readings };
}

async function count(store: QuestDbTelemetryStore, fromIso: string): Promise<number> {
  const r = await store.query<{ n: string }>(`SELECT count() n FROM "${store.table}" WHERE ts >= '${fromIso}'`);
  return Number(r[0]?.n ?? 0);
}

interface Role {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

function startRole(role: 'gateway' | 'worker', env: Record<string, string>): Promise<Role> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dcmms-source', 'cloud/src/main.ts', role], {
      cwd: REPO,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${role} did not start:\n${out.slice(-2000)}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(`"msg":"${role} ready"`)) {
        clearTimeout(timer);
        resolve({
          child,
          stop: () => stopChild(child, 10_000),
        });
      }
      if (out.length > 1_000_000) out = out.slice(-100_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
}

async function connect(port: number, site: string, secret: string): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: site, password: secret, clientId: site, protocolVersion: 4, reconnectPeriod: 500, keepalive: 60 });
}

/** Publishes each site's payloads with `window` unacknowledged at a time. */
async function publishAll(clients: MqttClient[], sites: readonly string[], payloads: Buffer[][], window: number): Promise<void> {
  await Promise.all(
    clients.map(async (c, i) => {
      let next = 0;
      const lane = async () => {
        while (next < payloads[i]!.length) {
          const p = payloads[i]![next++]!;
          await c.publishAsync(`dcmms/v1/${sites[i]}/telemetry`, p, { qos: 1 });
        }
      };
      await Promise.all(Array.from({ length: window }, lane));
    }),
  );
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const settings = loadSettings();
  await up(settings, undefined, log);
  const env = engineEnv(settings);
  const [kafkaEngine, questdbEngine] = engines(settings, ['kafka', 'questdb']);
  const sites = Array.from({ length: SITES }, (_, i) => `bench-${randomUUID().slice(0, 6)}-${i}`);
  const perSite = Math.max(1, Math.round(READINGS / SITES / plantProfile(7).tagCount));

  log(`generating and encoding ${perSite} s x ${SITES} sites of plant data`);
  const dayA = Date.UTC(2026, 6, 1);
  const dayB = Date.UTC(2026, 6, 2);
  const dayC = Date.UTC(2026, 6, 3);
  const full = workload(sites, perSite, dayB);

  // (a) direct ILP into its own table.
  const direct = await createQuestDbTelemetryStore({ httpUrl: env['QUESTDB_HTTP']!, pgUrl: env['QUESTDB_PG']!, table: `bench_direct_${randomUUID().replaceAll('-', '').slice(0, 10)}` });
  const directRows = workload(sites, perSite, dayA).batches.flat().map((b) => rowsOfBatch(b, Date.now()));
  const totalDirect = directRows.reduce((s, r) => s + r.length, 0);
  log(`(a) direct ILP: ${totalDirect} rows`);
  const tA = performance.now();
  const FLUSH = 100_000;
  let pending: (typeof directRows)[number] = [];
  for (const rows of directRows) {
    pending = pending.concat(rows);
    if (pending.length >= FLUSH) {
      await direct.write(pending);
      pending = [];
    }
  }
  if (pending.length) await direct.write(pending);
  const acceptedA = (performance.now() - tA) / 1000;
  await direct.waitApplied(300_000);
  const visibleA = (performance.now() - tA) / 1000;
  const rateA = totalDirect / visibleA;
  log(`(a) ${Math.round(rateA)} rows/s visible (${Math.round(totalDirect / acceptedA)} rows/s accepted)`);
  await direct.query(`DROP TABLE "${direct.table}"`);

  // (a') the client's own buffer API, same rows, into a fresh table.
  const viaSender = `bench_sender_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  await direct.query(`CREATE TABLE "${viaSender}" (ts TIMESTAMP, site SYMBOL, asset SYMBOL, tag SYMBOL, value DOUBLE, quality SYMBOL, received_at TIMESTAMP, value_text VARCHAR) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, site, tag)`);
  const sender = await Sender.fromConfig(`http::addr=${new URL(env['QUESTDB_HTTP']!).host};auto_flush=off;request_timeout=60000;retry_timeout=60000`);
  const tS = performance.now();
  let inBuffer = 0;
  for (const rows of directRows) {
    for (const r of rows) {
      sender.table(viaSender).symbol('site', r.site);
      if (r.asset !== null) sender.symbol('asset', r.asset);
      sender.symbol('tag', r.tag).symbol('quality', r.quality);
      if (r.value !== null) sender.floatColumn('value', r.value);
      if (r.text !== null) sender.stringColumn('value_text', r.text);
      sender.timestampColumn('received_at', r.receivedAt, 'ms');
      await sender.at(r.ts, 'ms');
      if (++inBuffer >= FLUSH) {
        await sender.flush();
        inBuffer = 0;
      }
    }
  }
  await sender.flush();
  await sender.close();
  const senderStore = await createQuestDbTelemetryStore({ httpUrl: env['QUESTDB_HTTP']!, pgUrl: env['QUESTDB_PG']!, table: viaSender });
  await senderStore.waitApplied(300_000);
  const rateSender = totalDirect / ((performance.now() - tS) / 1000);
  log(`(a') client Sender API: ${Math.round(rateSender)} rows/s visible`);
  await senderStore.query(`DROP TABLE "${viaSender}"`);
  await senderStore.close();
  await direct.close();

  // (b) full path: gateway and worker as their own processes.
  const table = `bench_pipeline_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const credFile = `/tmp/dcmms-bench-${process.pid}-credentials.json`;
  for (const s of sites) await writeSiteCredential(credFile, s, 'bench', `${s}-secret`);
  const admin = new pg.Client({ connectionString: env['DATABASE_URL'] });
  await admin.connect();
  const dbName = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(env['DATABASE_URL']!);
  dbUrl.pathname = `/${dbName}`;
  const eventLog = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'bench' });
  const group = `bench-${randomUUID()}`;
  await eventLog.setGroupOffsetsToEnd(group, [KAFKA_TOPICS.telemetryRaw]);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const gateway = await startRole('gateway', { KAFKA_BROKERS: env['KAFKA_BROKERS']!, SITE_CREDENTIALS_FILE: credFile, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), METRICS_HOST: '127.0.0.1', METRICS_PORT: '0' });
  const worker = await startRole('worker', {
    KAFKA_BROKERS: env['KAFKA_BROKERS']!, QUESTDB_HTTP: env['QUESTDB_HTTP']!, QUESTDB_PG: env['QUESTDB_PG']!, DATABASE_URL: dbUrl.toString(),
    QUESTDB_TABLE: table, INGEST_GROUP_ID: group, WORKER_CONSUMERS: 'telemetry', INGEST_FROM_BEGINNING: 'false', METRICS_HOST: '127.0.0.1', METRICS_PORT: '0',
  });
  const store = await createQuestDbTelemetryStore({ httpUrl: env['QUESTDB_HTTP']!, pgUrl: env['QUESTDB_PG']!, table });
  const clients = await Promise.all(sites.map((s) => connect(port, s, `${s}-secret`)));
  const self = process.pid;
  const pids = { bench: self, gateway: gateway.child.pid, worker: worker.child.pid, kafka: kafkaEngine!.runningPid(), questdb: questdbEngine!.runningPid() };
  const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));

  log(`(b) full path: ${full.readings} readings from ${SITES} publishers`);
  const tB = performance.now();
  let ackedAt = 0;
  const publishing = publishAll(clients, sites, full.payloads, 16).then(() => (ackedAt = (performance.now() - tB) / 1000));
  const fromB = new Date(dayB).toISOString();
  while ((await count(store, fromB)) < full.readings) await sleep(100);
  await publishing;
  const visibleB = (performance.now() - tB) / 1000;
  const rateB = full.readings / visibleB;
  const cpu1 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  log(`(b) ${Math.round(rateB)} readings/s visible; all PUBACKs after ${ackedAt.toFixed(1)} s, all visible after ${visibleB.toFixed(1)} s`);

  // (c) latency at half the sustained rate.
  const half = rateB / 2;
  const latencySeconds = Math.max(5, LATENCY_SECONDS);
  const lat = workload(sites, Math.ceil((half * latencySeconds) / SITES / plantProfile(7).tagCount), dayC);
  const perBatch = lat.batches[0]![0]!.readings.length;
  const intervalMs = (1000 * perBatch * SITES) / half; // one batch per site every intervalMs
  log(`(c) latency at ${Math.round(half)} readings/s: one batch per site every ${intervalMs.toFixed(0)} ms for ~${latencySeconds} s`);
  const sentAt = new Map<string, number>(); // `${site}/${lastTs}` -> publish time
  const visibleAt = new Map<string, number>();
  const lastTsOf = (b: TelemetryBatch) => b.readings.reduce((m, r) => Math.max(m, r.ts), 0);
  let stopPolling = false;
  const fromC = new Date(dayC).toISOString();
  const poller = (async () => {
    while (!stopPolling || visibleAt.size < sentAt.size) {
      const rows = await store.query<{ site: string; ts: number }>(`SELECT site, max(ts) ts FROM "${table}" WHERE ts >= '${fromC}' GROUP BY site`);
      const now = performance.now();
      const maxBySite = new Map(rows.map((r) => [r.site, r.ts]));
      for (const [key, t] of sentAt) {
        if (visibleAt.has(key)) continue;
        const [site, ts] = key.split('/') as [string, string];
        if ((maxBySite.get(site) ?? 0) >= Number(ts)) visibleAt.set(key, now - t);
      }
      await sleep(25);
    }
  })();
  const rounds = lat.batches[0]!.length;
  const tC = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let k = 0; k < rounds; k++) {
    const due = tC + k * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sites.forEach((site, i) => {
      const b = lat.batches[i]![k]!;
      sentAt.set(`${site}/${lastTsOf(b)}`, performance.now());
      inflight.push(clients[i]!.publishAsync(`dcmms/v1/${site}/telemetry`, lat.payloads[i]![k]!, { qos: 1 }));
    });
  }
  await Promise.all(inflight);
  stopPolling = true;
  await poller;
  const latencies = [...visibleAt.values()].sort((x, y) => x - y);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  log(`(c) p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms over ${latencies.length} batches`);

  await Promise.all(clients.map((c) => c.endAsync(true)));
  await gateway.stop();
  await worker.stop();
  await store.query(`DROP TABLE "${table}"`);
  await store.close();
  await eventLog.close();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();

  const used = (k: string) => (cpu1[k] ?? 0) - (cpu0[k] ?? 0);
  const cpuLine = ['gateway', 'worker', 'kafka', 'questdb', 'bench'].map((k) => `${k} ${used(k).toFixed(1)} s`).join(', ');
  printReport({
    bench: 'pipeline',
    title: 'bench:pipeline: MQTT -> gateway -> Kafka -> worker -> QuestDB, against direct ILP',
    preamble: [
      `plant profile: ${plantProfile(7).tagCount} tags per site, one ~${perBatch}-reading batch per site and second; ${SITES} sites; ${full.readings} readings`,
      `gateway and worker as separate processes; Kafka, QuestDB and PostgreSQL from scripts/engines on this machine`,
    ],
    figures: [
      figure({ name: '(a) direct ILP, rows visible', unit: 'rows/s', measured: rateA }),
      figure({ name: "(a') direct ILP via the client's Sender API", unit: 'rows/s', measured: rateSender, reference: rateA }),
      figure({ name: '(b) full path, readings visible', unit: 'readings/s', measured: rateB, reference: rateA, target: '>= 250,000 readings/s, b/a >= 0.6', met: rateB >= 250_000 && rateB / rateA >= 0.6 }),
      figure({ name: '(c) publish-to-visible p50 at b/2', unit: 'ms', measured: p50 }),
      figure({ name: '(c) publish-to-visible p99 at b/2', unit: 'ms', measured: p99 }),
    ],
    notes: [
      `(a) accepted by QuestDB after ${acceptedA.toFixed(1)} s, visible after ${visibleA.toFixed(1)} s`,
      `(b) all PUBACKs after ${ackedAt.toFixed(1)} s, all rows visible after ${visibleB.toFixed(1)} s`,
      `CPU seconds during (b): ${cpuLine} (wall ${visibleB.toFixed(1)} s, 2 cores shared)`,
    ],
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:pipeline failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
