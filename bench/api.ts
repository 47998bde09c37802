/**
 * bench:api: the control-room API on this machine's engines (PostgreSQL registry, QuestDB
 * telemetry), in one run, next to a trivial Fastify route measured the same way.
 *
 * The API runs as `dcmms-cloud api` in its own process (request logging on, as deployed;
 * rate limits raised out of the way); the reference is a bare Fastify app with one route in
 * another process; autocannon drives both from this process. Scenarios, each for
 * BENCH_SECONDS after a short warm-up, with BENCH_CONNECTIONS connections:
 *
 *   trivial      GET /ping on the bare Fastify app (the reference)
 *   list alerts  GET /api/v1/alerts?limit=50 (newest first, a page of 50 of ~5,000)
 *   asset+latest GET /api/v1/assets/:id/telemetry/latest (asset, its 8 tags' latest values from QuestDB)
 *   create WO    POST /api/v1/workorders (number, tasks, history, audit in one transaction)
 *   transition   POST /api/v1/workorders/:id/transitions/hold|resume with If-Match
 *   mix          60% list alerts, 25% asset+latest, 10% create WO, 5% transition
 *   mix @ rate   the mix paced at BENCH_MIX_RATE req/s (default 1,000): the target is p99 <= 50 ms
 *
 * The machine is shared (2 cores for the client, the API, PostgreSQL and QuestDB, and
 * colleagues' work): read the load average in the header.
 *
 * BENCH_SECONDS [10]  BENCH_CONNECTIONS [16]  BENCH_MIX_RATE [1000]
 * BENCH_API_CPU_PROFILE=<dir>: the API process writes a V8 CPU profile there when it stops
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import type { AlertEvent } from '@dcmms/shared';
import { migrateToLatest, openRegistryDatabase } from '../cloud/src/db/index.js';
import { createRegistry, type Actor, type Scope } from '../cloud/src/registry/index.js';
import { createQuestDbTelemetryStore } from '../cloud/src/stores/telemetry/index.js';
import type { TelemetryRow } from '../cloud/src/ports/telemetry-store.js';
import { engines, up } from '../scripts/engines/engines.js';
import { engineEnv, loadSettings } from '../scripts/engines/settings.js';
import { stopChild } from './lib/child.js';
import { cpuSeconds, cpuSecondsWithChildren } from './lib/cpu.js';
import { figure, printReport, type Figure } from './lib/report.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const MIX_RATE = Number(process.env['BENCH_MIX_RATE'] ?? 1000);
const PROFILE_DIR = process.env['BENCH_API_CPU_PROFILE'];
const REPO = fileURLToPath(new URL('../', import.meta.url));
const log = (line: string) => process.stderr.write(`bench:api: ${line}\n`);

const SITES = ['bench-north', 'bench-south', 'bench-east', 'bench-west'];
const ASSETS_PER_SITE = 50;
const TAGS_PER_ASSET = 8;
const ALERTS = 5000;
const TRANSITION_POOL = 400;
const PASSWORD = 'bench admin password 0123';

interface Child {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts a process and resolves with the URL it prints in a line matching `pattern`. */
function startChild(what: string, args: string[], env: Record<string, string>, pattern: RegExp): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out.slice(-2000)}`)), 90_000);
    const onData = (d: Buffer) => {
      if (started) return;
      out += d.toString();
      const m = pattern.exec(out);
      if (!m) return;
      started = true;
      clearTimeout(timer);
      // Its log lines are produced (the cost is real) but not kept.
      child.stdout!.resume();
      resolve({
        url: m[1]!,
        pid: child.pid!,
        stop: () => stopChild(child, 10_000),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${what} exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
}

interface PoolWo {
  readonly id: string;
  version: number;
  state: string;
}

interface Scenario {
  readonly name: string;
  readonly url: string;
  readonly request: (ctx: { wo?: PoolWo }) => { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> };
  readonly rate?: number;
}

interface Outcome {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function drive(s: Scenario, token: string, pool: PoolWo[], seconds: number): Promise<Outcome> {
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const result = await autocannon({
    url: s.url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(s.rate ? { overallRate: s.rate } : {}),
    requests: [
      {
        setupRequest: (req, context) => {
          const ctx = context as { wo?: PoolWo };
          const r = s.request(ctx);
          return { ...req, method: r.method, path: r.path, body: r.body, headers: { ...auth, ...r.headers } };
        },
        onResponse: (status, body, context) => {
          const ctx = context as { wo?: PoolWo };
          if (!ctx.wo) return;
          if (status === 200) {
            const next = JSON.parse(body) as { version: number; state: string };
            ctx.wo.version = next.version;
            ctx.wo.state = next.state;
          }
          pool.push(ctx.wo);
          delete ctx.wo;
        },
      },
    ],
  });
  return { requests: result.requests.total, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function main(): Promise<void> {
  const settings = loadSettings();
  await up(settings, ['postgres', 'questdb'], log);
  const env = engineEnv(settings);
  const dbName = `bench_api_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const table = `bench_api_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: env['DATABASE_URL'] });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(env['DATABASE_URL']!);
  dbUrl.pathname = `/${dbName}`;
  const children: Child[] = [];
  const database = openRegistryDatabase(dbUrl.toString());
  const store = await createQuestDbTelemetryStore({ httpUrl: env['QUESTDB_HTTP']!, pgUrl: env['QUESTDB_PG']!, table });
  try {
    // --- seed: a tenant, 4 sites x 50 assets x 8 tags, 5,000 alerts, a pool of work orders in progress ---
    await migrateToLatest(database);
    const registry = createRegistry(database);
    const tenantId = registry.newId();
    const actor: Actor = { type: 'system', id: 'bench', name: 'bench', tenantId };
    const scope: Scope = { tenantId, sites: null };
    await registry.tenants.create(actor, { id: tenantId, name: 'Bench', root: true });
    const user = await registry.users.create(actor, tenantId, { username: 'bench-admin', password: PASSWORD, role: 'admin' });
    const assets: string[] = [];
    const rows: TelemetryRow[] = [];
    const now = Date.now();
    for (const site of SITES) {
      await registry.sites.create(actor, scope, { id: site, name: site });
      for (let a = 0; a < ASSETS_PER_SITE; a++) {
        const tags = Array.from({ length: TAGS_PER_ASSET }, (_, t) => `inv${a}.reg${t}`);
        const asset = await registry.assets.create(actor, scope, { siteId: site, name: `Inverter ${a}`, kind: 'inverter', tags, location: { lat: 45 + a / 100, lon: 5 + a / 100 } });
        assets.push(asset.id);
        for (const tag of tags) for (let i = 0; i < 30; i++) rows.push({ site, asset: asset.id, tag, ts: now - (30 - i) * 2000, value: Math.round(Math.random() * 5000) / 10, text: null, quality: 'good', receivedAt: now });
      }
    }
    await store.write(rows);
    await store.waitApplied(120_000);
    log(`seeded ${assets.length} assets and ${rows.length} readings`);
    const events: AlertEvent[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const site = SITES[i % SITES.length]!;
      events.push({ site, alertId: `inv${i % ASSETS_PER_SITE}.reg${i % TAGS_PER_ASSET}.hi`, occurrence: 1 + Math.floor(i / (SITES.length * ASSETS_PER_SITE)), eventSeq: i + 1, ts: now - (ALERTS - i) * 1000, kind: 'raised', state: 'unacked_active', severity: i % 10 === 0 ? 'high' : 'medium', ruleId: 'hi', tag: `inv${i % ASSETS_PER_SITE}.reg${i % TAGS_PER_ASSET}`, value: 99, message: 'value high' });
    }
    for (let i = 0; i < events.length; i += 500) await registry.alerts.applyEdgeEvents(events.slice(i, i + 500));
    const pool: PoolWo[] = [];
    for (let i = 0; i < TRANSITION_POOL; i++) {
      let wo = await registry.workOrders.create(actor, scope, { siteId: SITES[i % SITES.length]!, title: `pool ${i}`, type: 'preventive', priority: 'low', submit: true });
      wo = await registry.workOrders.transition(actor, scope, wo.id, 'assign', { assigneeId: user.id }, wo.version);
      wo = await registry.workOrders.transition(actor, scope, wo.id, 'start', {}, wo.version);
      pool.push({ id: wo.id, version: wo.version, state: wo.state });
    }
    // Fresh planner statistics, as autovacuum would have gathered on a registry in service.
    await sql`analyze`.execute(database.db);
    log(`seeded ${ALERTS} alerts and ${TRANSITION_POOL} work orders in progress`);

    // --- the two servers ---
    const api = await startChild(
      'api',
      [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), '--import', 'tsx', '--conditions=dcmms-source', 'cloud/src/main.ts', 'api'],
      {
        DATABASE_URL: dbUrl.toString(),
        QUESTDB_HTTP: env['QUESTDB_HTTP']!,
        QUESTDB_PG: env['QUESTDB_PG']!,
        QUESTDB_TABLE: table,
        DCMMS_DOWNLINK: 'disabled',
        DCMMS_API_HOST: '127.0.0.1',
        DCMMS_API_PORT: '0',
        DCMMS_JWT_SECRET: randomUUID() + randomUUID(),
        DCMMS_ACCESS_TOKEN_TTL_SECONDS: '7200',
        DCMMS_RATE_LIMIT_MAX: '100000000',
        LOG_LEVEL: 'info',
      },
      /"url":"(http:\/\/[^"]+)","docs"/,
    );
    children.push(api);
    const trivial = await startChild(
      'trivial fastify',
      ['--input-type=module', '-e', "import Fastify from 'fastify'; const app = Fastify(); app.get('/ping', async () => ({ ok: true })); console.log('listening ' + (await app.listen({ host: '127.0.0.1', port: 0 })));"],
      {},
      /listening (http:\/\/\S+)/,
    );
    children.push(trivial);
    const login = await fetch(`${api.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-admin', password: PASSWORD }) });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const token = ((await login.json()) as { accessToken: string }).accessToken;

    let n = 0;
    const listAlerts = () => ({ method: 'GET' as const, path: '/api/v1/alerts?limit=50' });
    const assetLatest = () => ({ method: 'GET' as const, path: `/api/v1/assets/${assets[n++ % assets.length]}/telemetry/latest` });
    const createWo = () => ({
      method: 'POST' as const,
      path: '/api/v1/workorders',
      body: JSON.stringify({ siteId: SITES[n++ % SITES.length], title: 'Inspect inverter fan', type: 'corrective', priority: 'medium', tasks: ['isolate', 'inspect', 'report'], submit: true }),
    });
    const transition = (ctx: { wo?: PoolWo }) => {
      const wo = pool.shift();
      if (!wo) return listAlerts();
      ctx.wo = wo;
      return { method: 'POST' as const, path: `/api/v1/workorders/${wo.id}/transitions/${wo.state === 'in_progress' ? 'hold' : 'resume'}`, body: '{}', headers: { 'if-match': `"${wo.version}"` } };
    };
    const mix = (ctx: { wo?: PoolWo }) => {
      const r = Math.random();
      return r < 0.6 ? listAlerts() : r < 0.85 ? assetLatest() : r < 0.95 ? createWo() : transition(ctx);
    };
    const scenarios: Scenario[] = [
      { name: 'trivial Fastify route', url: trivial.url, request: () => ({ method: 'GET', path: '/ping' }) },
      { name: 'list alerts', url: api.url, request: listAlerts },
      { name: 'asset + latest telemetry', url: api.url, request: assetLatest },
      { name: 'create work order', url: api.url, request: createWo },
      { name: 'transition work order', url: api.url, request: transition },
      { name: 'mix', url: api.url, request: mix },
      { name: `mix at ${MIX_RATE} req/s`, url: api.url, request: mix, rate: MIX_RATE },
    ];
    const cpuOfThisProcess = () => {
      const used = process.cpuUsage();
      return (used.user + used.system) / 1e6;
    };
    const [postgresEngine, questdbEngine] = engines(settings, ['postgres', 'questdb']);
    const cpuNow = (serverPid: number) => ({
      server: cpuSeconds(serverPid),
      postgres: cpuSecondsWithChildren(postgresEngine!.runningPid()),
      questdb: cpuSeconds(questdbEngine!.runningPid()),
      client: cpuOfThisProcess(),
    });
    const outcomes = new Map<string, Outcome>();
    const cpuPerRequest: string[] = [];
    for (const s of scenarios) {
      await drive(s, token, pool, 2); // warm-up: JIT, pools, caches
      const server = s.url === trivial.url ? trivial : api;
      const before = cpuNow(server.pid);
      const o = await drive(s, token, pool, SECONDS);
      const after = cpuNow(server.pid);
      // (A PostgreSQL backend that exits meanwhile takes its time with it: never below zero.)
      const perRequest = (k: keyof typeof after) => (Math.max(0, after[k] - before[k]) * 1000) / Math.max(1, o.requests);
      outcomes.set(s.name, o);
      cpuPerRequest.push(`${s.name}: server ${perRequest('server').toFixed(2)}, postgres ${perRequest('postgres').toFixed(2)}, questdb ${perRequest('questdb').toFixed(2)}, client ${perRequest('client').toFixed(2)}`);
      log(`${s.name}: ${Math.round(o.rps)} req/s, p50 ${o.p50} ms, p99 ${o.p99} ms, non-2xx ${o.non2xx}, errors ${o.errors}; ${cpuPerRequest.at(-1)!} CPU ms/request`);
    }

    const ref = outcomes.get('trivial Fastify route')!;
    const figures: Figure[] = [];
    for (const s of scenarios) {
      const o = outcomes.get(s.name)!;
      const isRef = s === scenarios[0];
      if (s.rate) {
        figures.push(figure({ name: `${s.name}: throughput`, unit: 'req/s', measured: o.rps, target: `>= ${MIX_RATE.toLocaleString('en-US')} req/s`, met: o.rps >= MIX_RATE * 0.98 }));
        figures.push(figure({ name: `${s.name}: p50 latency`, unit: 'ms', measured: o.p50 }));
        figures.push(figure({ name: `${s.name}: p99 latency`, unit: 'ms', measured: o.p99, target: '<= 50 ms', met: o.p99 <= 50 }));
        continue;
      }
      figures.push(figure({ name: `${s.name}: throughput`, unit: 'req/s', measured: o.rps, reference: isRef ? null : ref.rps }));
      figures.push(figure({ name: `${s.name}: p50 latency`, unit: 'ms', measured: o.p50, reference: isRef ? null : ref.p50 }));
      figures.push(figure({ name: `${s.name}: p99 latency`, unit: 'ms', measured: o.p99, reference: isRef ? null : ref.p99 }));
    }
    const failures = [...outcomes.entries()].filter(([, o]) => o.non2xx > 0 || o.errors > 0).map(([name, o]) => `${name}: ${o.non2xx} non-2xx, ${o.errors} errors`);
    printReport({
      bench: 'api',
      title: 'bench:api: control-room API (PostgreSQL registry, QuestDB telemetry) vs a trivial Fastify route',
      preamble: [
        `${SECONDS} s per scenario after a 2 s warm-up, ${CONNECTIONS} connections (closed loop; the paced mix keeps the rate whatever the latency)`,
        `data: ${SITES.length} sites, ${assets.length} assets x ${TAGS_PER_ASSET} tags (${rows.length} readings), ${ALERTS} alerts, ${TRANSITION_POOL} work orders cycling hold/resume`,
        'API and reference each in their own process; autocannon, PostgreSQL and QuestDB share the same 2 cores',
      ],
      figures,
      notes: [
        failures.length === 0 ? 'every response was 2xx' : `NOT all 2xx: ${failures.join('; ')}`,
        `CPU ms per request, by process: ${cpuPerRequest.join('; ')}`,
        'ratio: API figure / trivial Fastify route figure, measured in this run',
      ],
    });
  } finally {
    for (const c of children) await c.stop();
    await store.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await store.close();
    await database.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
