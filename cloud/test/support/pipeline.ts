import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KAFKA_TOPICS, type TelemetryBatch } from '@dcmms/shared';
import { createEventLog, type EventLog } from '../../src/kafka/index.js';
import { createQuestDbTelemetryStore, type QuestDbTelemetryStore } from '../../src/stores/telemetry/index.js';
import { checksum, expectedKeys, rowKey } from './plant.js';
import { waitFor } from './recording-sinks.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export const uniqueSite = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
export const uniqueName = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A fresh table per test (the product topics are shared, so the tests isolate by table, group and site ids). */
export async function testTable(env: Record<string, string>): Promise<QuestDbTelemetryStore> {
  return createQuestDbTelemetryStore({ httpUrl: env['QUESTDB_HTTP']!, pgUrl: env['QUESTDB_PG']!, table: uniqueName('t') });
}

export async function dropTable(store: QuestDbTelemetryStore): Promise<void> {
  await store.query(`DROP TABLE IF EXISTS "${store.table}"`).catch(() => undefined);
  await store.close();
}

/** A consumer group positioned at the current end of the topics, so it reads only this test's records. */
export async function groupAtEnd(env: Record<string, string>, topics: readonly string[]): Promise<string> {
  const log = createEventLog({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'test-setup' });
  const group = uniqueName('test_group');
  try {
    await log.setGroupOffsetsToEnd(group, topics);
  } finally {
    await log.close();
  }
  return group;
}

export async function tableKeys(store: QuestDbTelemetryStore, sites: readonly string[]): Promise<string[]> {
  const rows = await store.query<{ site: string; tag: string; ts: number; value: number | null; value_text: string | null }>(
    `SELECT site, tag, ts, value, value_text FROM "${store.table}" WHERE site IN (${sites.map((_, i) => `$${i + 1}`).join(', ')})`,
    sites,
  );
  return rows.map((r) => rowKey(r.site, r.tag, r.ts, r.value === null || Number.isNaN(r.value) ? null : r.value, r.value_text));
}

/**
 * Waits until the table holds as many rows for `sites` as were published, then compares the
 * checksum of (site, tag, ts, value): exact equality, and a duplicate would show in the count.
 */
export async function expectTableEquals(store: QuestDbTelemetryStore, batches: readonly TelemetryBatch[], timeoutMs = 120_000): Promise<{ count: number }> {
  const sites = [...new Set(batches.map((b) => b.site))];
  const expected = checksum(expectedKeys(batches));
  let last = 0;
  await waitFor(
    `${expected.count} rows in ${store.table}`,
    async () => {
      await store.waitApplied(30_000);
      const r = await store.query<{ n: string }>(`SELECT count() n FROM "${store.table}" WHERE site IN (${sites.map((_, i) => `$${i + 1}`).join(', ')})`, sites);
      last = Number(r[0]?.n ?? 0);
      return last >= expected.count;
    },
    timeoutMs,
    250,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)} (have ${last})`);
  });
  const actual = checksum(await tableKeys(store, sites));
  if (actual.count !== expected.count || actual.sha256 !== expected.sha256) {
    throw new Error(`table differs from what was published: ${actual.count} rows (checksum ${actual.sha256.slice(0, 12)}), expected ${expected.count} (${expected.sha256.slice(0, 12)})`);
  }
  return { count: actual.count };
}

export interface RoleProcess {
  readonly child: ChildProcess;
  /** The role's JSON log lines so far. */
  readonly lines: string[];
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
}

/** A cloud role as its own process (`dcmms-cloud <role>` from source), for kill -9 tests. */
export function startRole(role: 'gateway' | 'worker', env: Record<string, string>): RoleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dcmms-source', 'cloud/src/main.ts', role], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('utf8');
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    waitForLog: (pattern, timeoutMs = 60_000) =>
      waitFor(`${role} log ${pattern}`, () => {
        if (child.exitCode !== null) throw new Error(`${role} exited with ${child.exitCode}:\n${lines.slice(-20).join('\n')}`);
        return lines.find((l) => pattern.test(l));
      }, timeoutMs, 100),
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Records of `topic` for `site`, read by a group that was positioned at the end before the test. */
export async function readRecords(eventLog: EventLog, groupId: string, topic: string, site: string, count: number, timeoutMs = 60_000) {
  const found: Array<{ headers: Readonly<Record<string, string>>; value: Buffer | null }> = [];
  const consumer = eventLog.consumer({ groupId, topics: [topic], fromBeginning: false, concurrency: 1 });
  void consumer.run(async (batch) => {
    for (const r of batch.records) if (r.key === site) found.push({ headers: r.headers, value: r.value });
  });
  try {
    await waitFor(`${count} records for ${site} on ${topic}`, () => found.length >= count, timeoutMs, 100);
    return found;
  } finally {
    await consumer.close();
  }
}

export const PRODUCT_TOPICS = KAFKA_TOPICS;
