import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './options.js';
import { DEMO_ALARM } from './plant.js';
import { waitFor } from './test-api.js';

const run = promisify(execFile);
const START = ['--import', 'tsx', '--conditions=dcmms-source', 'scripts/start.ts'];
/** The environment of a fresh shell: none of the demo's variables from the caller. */
const cleanEnv = (extra: Record<string, string>) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DCMMS_'))), ...extra });

async function startCli(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, START, { cwd: REPO_ROOT, env: cleanEnv(env), timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

interface RunningCli {
  readonly child: ReturnType<typeof spawn>;
  readonly out: () => string;
  /** Both streams, for an assertion's message: a failed stop says why on stderr. */
  readonly transcript: () => string;
  readonly exited: Promise<number | null>;
  /** Resolves once the banner is printed. */
  banner(): Promise<void>;
}

function spawnCli(dataDir: string): RunningCli {
  const child = spawn(process.execPath, START, {
    cwd: REPO_ROOT,
    env: cleanEnv({ DCMMS_DATA_DIR: dataDir, DCMMS_API_PORT: '0', DCMMS_MQTT_PORT: '0', DCMMS_EDGE_HTTP_PORT: '0', DCMMS_DEMO_ALARM_DELAY_MS: '1000', DCMMS_DEMO_POLL_MS: '500' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    out: () => stdout,
    transcript: () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`,
    exited,
    banner: () =>
      waitFor('the banner', () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr}`);
        return stdout.includes('Ctrl-C stops everything');
      }, 60_000).then(() => undefined),
  };
}

/** `npm start` as a user runs it: scripts/start.ts in its own process, driven by its environment. */
describe('scripts/start.ts (the npm start command)', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'dcmms-start-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('--help names every setting and exits 0', async () => {
    const help = await run(process.execPath, [...START, '--help'], { cwd: REPO_ROOT, env: cleanEnv({}) });
    expect(help.stdout).toContain('Usage: npm start');
    for (const name of ['DCMMS_DATA_DIR', 'DCMMS_API_PORT', 'DCMMS_MQTT_PORT', 'DCMMS_ADMIN_USER', 'DCMMS_ADMIN_PASSWORD', 'npm run start:engines']) expect(help.stdout).toContain(name);
  }, 60_000);

  it('says which port is taken and which variable moves it, and exits 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await startCli({ DCMMS_DATA_DIR: tempDir(), DCMMS_API_PORT: String(port), DCMMS_MQTT_PORT: '0', DCMMS_EDGE_HTTP_PORT: '0' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 (the API) is already in use by another program: stop it, or choose another port with DCMMS_API_PORT=<port>`);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('names the variable of an invalid setting', async () => {
    const r = await startCli({ DCMMS_DATA_DIR: tempDir(), DCMMS_API_PORT: 'eighty', DCMMS_ADMIN_PASSWORD: 'short' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DCMMS_API_PORT: .*expected/);
    expect(r.stderr).toMatch(/DCMMS_ADMIN_PASSWORD: expected at least 12 characters/);
  }, 60_000);

  it('prints curl commands that work as printed, and stops cleanly on Ctrl-C (SIGINT)', async () => {
    const dataDir = tempDir();
    const cli = spawnCli(dataDir);
    const { child, exited } = cli;
    try {
      await cli.banner();
      const stdout = cli.out();
      expect(stdout).toMatch(/Login +admin \/ [\w-]{16,} +\(generated now and shown only this once/);
      const commands = stdout.split('\n').filter((l) => /^ {2}(TOKEN=|curl )/.test(l)).map((l) => l.slice(2));
      expect(commands).toHaveLength(3);
      // Pasted into a shell as printed (the login's $TOKEN carries over to the next two).
      const script = commands.join('\necho\necho @@@\n');
      const outputs = await waitFor(
        'the demo alarm in the output of the printed commands',
        async () => {
          const r = await run('bash', ['-c', script], { cwd: dataDir });
          const parts = r.stdout.split('@@@\n');
          return parts.length === 3 && parts[1]!.includes(DEMO_ALARM.alertKey) ? parts : null;
        },
        60_000,
        500,
      );
      expect(outputs[0]!.trim()).toBe('');
      const alerts = JSON.parse(outputs[1]!) as { items: Array<{ alertKey: string; active: boolean }> };
      expect(alerts.items.find((a) => a.alertKey === DEMO_ALARM.alertKey)?.active).toBe(true);
      const latest = JSON.parse(outputs[2]!) as { values: Array<{ tag: string; quality: string }> };
      expect(latest.values.length).toBeGreaterThan(10);
      expect(latest.values.every((v) => v.tag.startsWith('wt1.'))).toBe(true);

      child.kill('SIGINT');
      expect(await exited, cli.transcript()).toBe(0);
      expect(cli.out()).toContain('SIGINT: stopping');
      expect(cli.out().trimEnd().endsWith('stopped.')).toBe(true);
      expect(existsSync(join(dataDir, 'demo.pid'))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);

  it('survives kill -9: the next start takes over the data folder and reuses it', async () => {
    const dataDir = tempDir();
    const first = spawnCli(dataDir);
    try {
      await first.banner();
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exited;
    expect(existsSync(join(dataDir, 'demo.pid'))).toBe(true);
    const second = spawnCli(dataDir);
    try {
      await second.banner();
      expect(second.out()).toContain('admin / the password printed at the first start');
      // (A new config version only if a simulator's port was taken in between by a test running beside this one.)
      expect(second.out()).toMatch(/nothing seeded again|Seeded now: site config version \d+ stored\./);
      second.child.kill('SIGINT');
      expect(await second.exited, second.transcript()).toBe(0);
    } finally {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    }
  }, 120_000);
});
