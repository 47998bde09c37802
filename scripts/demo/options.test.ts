import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataLayout, lockDataDir, readState, writeState } from './data-dir.js';
import { isDemoError } from './errors.js';
import { demoOptionsFromEnv, parseDemoOptions, REPO_ROOT } from './options.js';
import { assertPortsFree } from './ports.js';

describe('demo settings', () => {
  it('defaults: API 8080, MQTT 11883 on loopback, data under .data/ of the repo, per mode', () => {
    const o = parseDemoOptions(demoOptionsFromEnv({}, 'embedded'));
    expect(o).toMatchObject({ apiHost: '127.0.0.1', apiPort: 8080, mqttHost: '127.0.0.1', mqttPort: 11883, edgeHttpPort: 9180, adminUser: 'admin', siteId: 'demo-plant', alarmDelayMs: 20_000 });
    expect(o.adminPassword).toBeUndefined();
    expect(o.dataDir).toBe(resolve(REPO_ROOT, '.data', 'demo'));
    expect(parseDemoOptions(demoOptionsFromEnv({}, 'engines')).dataDir).toBe(resolve(REPO_ROOT, '.data', 'demo-engines'));
  });

  it('reads the environment (an empty variable counts as unset) and names the variable of a bad value', () => {
    const o = parseDemoOptions(demoOptionsFromEnv({ DCMMS_API_PORT: '9090', DCMMS_DATA_DIR: '/tmp/x', DCMMS_ADMIN_USER: 'ops', DCMMS_ADMIN_PASSWORD: '', DCMMS_DEMO_ALARM_DELAY_MS: '5000' }, 'embedded'));
    expect(o).toMatchObject({ apiPort: 9090, dataDir: '/tmp/x', adminUser: 'ops', alarmDelayMs: 5000 });
    expect(o.adminPassword).toBeUndefined();
    let err: unknown;
    try {
      parseDemoOptions(demoOptionsFromEnv({ DCMMS_MQTT_PORT: '70000', DCMMS_DEMO_SITE: 'Not A Site' }, 'embedded'));
    } catch (e) {
      err = e;
    }
    expect(isDemoError(err, 'DCMMS_DEMO_OPTIONS_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/DCMMS_MQTT_PORT: expected a port 0\.\.65535/);
    expect((err as Error).message).toMatch(/DCMMS_DEMO_SITE: /);
  });
});

describe('ports and the data folder', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const layout = () => {
    const d = mkdtempSync(join(tmpdir(), 'dcmms-demo-dir-'));
    dirs.push(d);
    return dataLayout(d);
  };

  it('a taken port is refused with what uses it and the variable that moves it', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(assertPortsFree([{ host: '127.0.0.1', port, what: 'the MQTT gateway', env: 'DCMMS_MQTT_PORT' }])).rejects.toThrow(
        `port ${port} on 127.0.0.1 (the MQTT gateway) is already in use by another program: stop it, or choose another port with DCMMS_MQTT_PORT=<port>`,
      );
    } finally {
      server.close();
    }
    await expect(assertPortsFree([{ host: '127.0.0.1', port: 0, what: 'x', env: 'X' }])).resolves.toBeUndefined();
  });

  it('one demo per data folder: a live holder is refused, a dead one is taken over, the lock goes on release', async () => {
    const l = layout();
    const sleeper = spawn('sleep', ['30']);
    try {
      lockDataDir(l);
      writeFileSync(l.lock, `${sleeper.pid}\n`);
      expect(() => lockDataDir(l)).toThrow(`another demo (pid ${sleeper.pid}) is running on ${l.root}`);
    } finally {
      sleeper.kill();
    }
    await new Promise((r) => sleeper.once('exit', r));
    const release = lockDataDir(l);
    expect(readFileSync(l.lock, 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(l.lock)).toBe(false);
  });

  it('the state file survives damage as "no hints"', () => {
    const l = layout();
    lockDataDir(l)();
    expect(readState(l)).toEqual({ simulatorPorts: {}, positionedGroups: [] });
    writeState(l, { simulatorPorts: { inv1: 15020 }, positionedGroups: ['g'] });
    expect(readState(l)).toEqual({ simulatorPorts: { inv1: 15020 }, positionedGroups: ['g'] });
    writeFileSync(l.state, '{"simulatorPorts": {"inv1": "nope"');
    expect(readState(l)).toEqual({ simulatorPorts: {}, positionedGroups: [] });
  });
});
