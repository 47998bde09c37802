import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSiteConfig } from '@dcmms/shared';
import { composeEdgeSiteFile, composePlant } from './plant.js';

const here = new URL('./', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, here), 'utf8');

describe('compose demo files', () => {
  it('are what the demo modules generate (npm run compose:generate)', () => {
    expect(JSON.parse(read('demo-plant.json'))).toEqual(JSON.parse(JSON.stringify(composePlant())));
    expect(read('edge-site.yaml')).toBe(composeEdgeSiteFile());
  });

  it('hold a valid edge site file and a valid cloud config', () => {
    expect(parseSiteConfig(parse(read('edge-site.yaml'))).site).toBe('demo-plant');
    const plant = JSON.parse(read('demo-plant.json')) as { config: unknown };
    expect(parseSiteConfig(plant.config).devices).toHaveLength(4);
  });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describe('compose provisioning against the api role', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcmms-provision-'));
  const password = 'provision-test-password';
  let api: ChildProcess;
  let base = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, ['--conditions=dcmms-source', '--import', 'tsx', 'cloud/src/main.ts', 'api'], {
      env: {
        ...process.env,
        DATABASE_URL: `sqlite:${join(dir, 'registry.db')}`,
        TELEMETRY_SQLITE: join(dir, 'telemetry.db'),
        DCMMS_DOWNLINK: 'disabled',
        DCMMS_API_HOST: '127.0.0.1',
        DCMMS_API_PORT: String(port),
        DCMMS_ADMIN_PASSWORD: password,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
  });

  afterAll(() => {
    api.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const provision = () =>
    promisify(execFile)(process.execPath, ['scripts/compose/provision.mjs'], {
      env: { ...process.env, API_URL: base, PLANT_FILE: 'scripts/compose/demo-plant.json', SECRET_FILE: join(dir, 'site-secret'), DCMMS_ADMIN_PASSWORD: password },
      timeout: 120_000,
    });

  it('creates the site, credential, config, assets and work orders once', async () => {
    const first = await provision();
    expect(first.stdout).toContain('site demo-plant created');
    expect(first.stdout).toContain('edge credential issued');
    expect(first.stdout).toContain('site config version 1 stored');
    expect(existsSync(join(dir, 'site-secret'))).toBe(true);

    const second = await provision();
    expect(second.stdout.trim()).toBe('provision: done');

    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const get = async (path: string) => (await (await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as Record<string, unknown>;
    const plant = composePlant() as { assets: unknown[]; workOrders: unknown[]; config: unknown };
    expect((await get('/sites/demo-plant/credentials'))['items']).toHaveLength(1);
    const config = (await get('/sites/demo-plant/config')) as { desired: { version: number; body: unknown } };
    expect(config.desired.version).toBe(1);
    expect(config.desired.body).toEqual(JSON.parse(JSON.stringify(plant.config)));
    expect((await get('/assets?siteId=demo-plant&limit=200'))['items']).toHaveLength(plant.assets.length);
    expect((await get('/workorders?siteId=demo-plant&limit=200'))['items']).toHaveLength(plant.workOrders.length);
  }, 180_000);
});
