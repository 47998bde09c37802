import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = join(ROOT, 'cloud/src/main.ts');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

async function startApiProcess(env: Record<string, string>): Promise<Started> {
  const child = spawn(TSX, ['--conditions=dcmms-source', MAIN, 'api'], { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = out.split('\n').find((l) => l.includes('"api listening"'));
    if (line) return { child, url: (JSON.parse(line) as { url: string }).url, stderr: () => err, exited };
    if (child.exitCode !== null) throw new Error(`api exited ${child.exitCode}: ${err}`);
    if (Date.now() > deadline) throw new Error(`api did not start: ${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dcmms-cloud api (process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcmms-api-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'registry.db')}`,
    TELEMETRY_SQLITE: join(dir, 'telemetry.db'),
    DCMMS_DOWNLINK: 'disabled',
    DCMMS_API_HOST: '127.0.0.1',
    DCMMS_API_PORT: '0',
  };

  it('--help, a configuration error naming the variable', async () => {
    const help = spawn(TSX, ['--conditions=dcmms-source', MAIN, 'api', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    help.stdout.on('data', (b: Buffer) => (text += b.toString()));
    expect(await new Promise((r) => help.on('exit', r))).toBe(0);
    expect(text).toContain('DATABASE_URL');
    const bad = spawn(TSX, ['--conditions=dcmms-source', MAIN, 'api'], { env: { ...process.env, DATABASE_URL: '', DCMMS_DOWNLINK: 'disabled' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    bad.stderr.on('data', (b: Buffer) => (err += b.toString()));
    expect(await new Promise((r) => bad.on('exit', r))).toBe(1);
    expect(err).toContain('DATABASE_URL');
  });

  it('first start creates the admin and prints the password once; a restart keeps data and sessions; SIGTERM stops cleanly', async () => {
    const first = await startApiProcess(env);
    const password = /password (\S+)/.exec(first.stderr())?.[1];
    expect(password).toBeDefined();
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const login = await fetch(`${first.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const created = await fetch(`${first.url}/api/v1/sites`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ id: 'cli-site', name: 'CLI' }) });
    expect(created.status).toBe(201);
    const spec = (await (await fetch(`${first.url}/docs/json`)).json()) as { paths: object };
    expect(Object.keys(spec.paths)).toContain('/api/v1/sites');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startApiProcess(env);
    try {
      expect(second.stderr()).not.toContain('admin created');
      // The signing key lives in the registry: the token from before the restart still works.
      const site = await fetch(`${second.url}/api/v1/sites/cli-site`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(site.status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
