import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { DemoOptionsInput } from './options.js';
import { startDemo, type DemoHandle } from './run.js';
import { exerciseFirstStart, exerciseRestart, type FirstStartFacts } from './test-scenario.js';

const env = inject('engines');

/**
 * `npm run start:engines` on the running engines: the real gateway, worker and api roles as
 * child processes, the registry in PostgreSQL, telemetry in QuestDB, Kafka in between. The
 * engines are shared, so the database, QuestDB table, consumer groups and site id are this
 * run's own, and dropped (groups deleted) afterwards.
 */
describe('npm run start:engines: the demo on Kafka, QuestDB and PostgreSQL', () => {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const dir = mkdtempSync(join(tmpdir(), 'dcmms-demo-engines-'));
  const options: DemoOptionsInput = {
    mode: 'engines',
    enginesEnv: env,
    dataDir: dir,
    apiPort: 0,
    mqttPort: 0,
    edgeHttpPort: 0,
    alarmDelayMs: 1000,
    pollIntervalMs: 500,
    siteId: `demo-e2e-${id}`,
    database: `demo_e2e_${id}`,
    questdbTable: `demo_e2e_${id}`,
    kafkaGroup: `demo-e2e-${id}`,
    logLevel: 'debug',
  };
  let demo: DemoHandle | null = null;
  let first: FirstStartFacts | null = null;

  afterAll(async () => {
    await demo?.stop();
    const registry = new pg.Client({ connectionString: env['DATABASE_URL'] });
    await registry.connect();
    await registry.query(`drop database if exists ${options.database} with (force)`);
    await registry.end();
    const questdb = new pg.Client({ connectionString: env['QUESTDB_PG'] });
    await questdb.connect();
    await questdb.query(`DROP TABLE IF EXISTS "${options.questdbTable}"`);
    await questdb.end();
    const kafka = new Kafka({ brokers: env['KAFKA_BROKERS']!.split(','), logLevel: logLevel.NOTHING }).admin();
    await kafka.connect();
    await kafka.deleteGroups([`${options.kafkaGroup}-telemetry`, `${options.kafkaGroup}-edge-events`]).catch(() => undefined);
    await kafka.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds everything, shows the site online with every tag, the alarm acknowledged down to the edge, a work order through its states', async () => {
    demo = await startDemo(options);
    expect(demo.summary.mode).toBe('engines');
    expect(demo.summary.logFiles.map((f) => f.split('/').pop())).toEqual(['demo-engines.log', 'gateway.log', 'worker.log', 'api.log']);
    first = await exerciseFirstStart(demo, 120_000);
    await demo.stop();
    demo = null;
  }, 300_000);

  it('a restart on the same data reuses it: no second seeding, the same login, data flowing again', async () => {
    if (!first) throw new Error('the first start failed');
    demo = await startDemo(options);
    await exerciseRestart(demo, first, 120_000);
  }, 300_000);
});
