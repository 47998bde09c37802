import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startModbusSimulator, startOpcuaSimulator } from '@dcmms/protocol-adapters';
import type { ModbusSimulator } from '@dcmms/protocol-adapters';
import { readingSchema } from '@dcmms/shared';
import { tempDir } from './support/temp-dir.js';
import { simulatedSite } from './support/site.js';
import { spawnAgent } from './support/agent-process.js';
import { waitFor } from './support/wait.js';

let dir: ReturnType<typeof tempDir>;
let sim: ModbusSimulator;
let configPath: string;
beforeAll(async () => {
  dir = tempDir();
  sim = await startModbusSimulator({ profile: 'pv-inverter', seed: 3 });
  configPath = join(dir.path, 'site.yaml');
  writeFileSync(configPath, stringify({ ...simulatedSite({ simPort: sim.port, bufferPath: 'data/buffer.db' }), http: { enabled: true, host: '127.0.0.1', port: 0 } }));
});
afterAll(async () => {
  await sim.stop();
  dir.cleanup();
});

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const p = spawnAgent(args, env);
  const { code } = await p.exited;
  return { code, output: p.output() };
}

describe('dcmms-edge CLI', () => {
  it('answers --help for itself and every command, and refuses unknown commands and options', async () => {
    const results = await Promise.all([['--help'], ['run', '--help'], ['check-config', '--help'], ['read', '--help'], ['browse', '--help']].map((a) => cli(a)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect(results[0]!.output).toContain('dcmms-edge run --config FILE');
    expect(results[1]!.output).toContain('SIGTERM or SIGINT stops it cleanly');
    expect(results[4]!.output).toContain('--security-mode MODE');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('unknown command "frobnicate"');
    const badOption = await cli(['read', '--verbose']);
    expect(badOption.code).toBe(2);
    expect(badOption.output).toContain("Unknown option '--verbose'");
  }, 60_000);

  it('check-config prints a summary, or every problem with its path and line', async () => {
    const ok = await cli(['check-config', configPath]);
    expect(ok.code).toBe(0);
    expect(ok.output).toContain('site plant-01: valid');
    expect(ok.output).toMatch(/devices: 1 \(inv1 modbus-tcp \d+ tags\)/);
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'site: plant-01',
        'devices:',
        '  - protocol: modbus-tcp',
        '    name: inv1',
        '    host: 127.0.0.1',
        '    tags:',
        '      - { name: inv1.p, register: holding, address: 70000 }',
        'alarms:',
        '  - { id: hot, type: threshold, tag: inv1.p }',
        'buffer:',
        '  commitIntervalMs: 5000',
      ].join('\n'),
    );
    const result = await cli(['check-config', bad]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('devices[0].tags[0].address: expected 0..65535 (tag "inv1.p") (line 7)');
    expect(result.output).toContain('alarms[0].hi: expected at least one of hihi, hi, lo, lolo (line 9)');
    expect(result.output).toContain('buffer.commitIntervalMs: Too big: expected number to be <=250 (line 11)');
  }, 60_000);

  it('read polls one device once and prints its readings as JSON lines', async () => {
    const result = await cli(['read', '--config', configPath, '--device', 'inv1']);
    expect(result.code).toBe(0);
    const lines = result.output.trim().split('\n').map((l) => readingSchema.parse(JSON.parse(l)));
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.every((r) => r.quality !== 'bad' && r.tag.startsWith('inv1.'))).toBe(true);
    const unknown = await cli(['read', '--config', configPath, '--device', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('DCMMS_EDGE_UNKNOWN_DEVICE: no device named "nope"');
  }, 60_000);

  it('browse lists the variables of an OPC-UA server', async () => {
    const opcua = await startOpcuaSimulator({ profile: 'wind-turbine', seed: 1 });
    try {
      const result = await cli(['browse', opcua.endpoint]);
      expect(result.code).toBe(0);
      const vars = result.output.trim().split('\n').map((l) => JSON.parse(l) as { nodeId: string; dataType: string; access: string[] });
      expect(vars.length).toBeGreaterThan(5);
      expect(vars.some((v) => v.nodeId === 'ns=1;s=wind_speed')).toBe(true);
    } finally {
      await opcua.stop();
    }
  }, 90_000);

  it('run serves /healthz, /readyz, /metrics and /status, and stops cleanly on SIGTERM', async () => {
    const p = spawnAgent(['run', '--config', configPath]);
    try {
      let base = '';
      await waitFor(
        () => {
          const m = /operations endpoints on (http:\/\/[\d.]+:\d+)/.exec(p.output());
          if (m) base = m[1]!;
          return base !== '' && p.output().includes('edge agent started');
        },
        'the agent to start',
        60_000,
      );
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 'ready');
      await waitFor(async () => /dcmms_edge_readings_total\{device="inv1"\} [1-9]/.test(await (await fetch(`${base}/metrics`)).text()), 'readings counted');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      for (const name of [
        'dcmms_edge_poll_latency_seconds_bucket',
        'dcmms_edge_device_errors_total',
        'dcmms_edge_buffer_batches',
        'dcmms_edge_buffer_bytes',
        'dcmms_edge_buffer_oldest_age_seconds',
        'dcmms_edge_uplink_lag_seconds',
        'dcmms_edge_uplink_in_flight',
        'dcmms_edge_dropped_readings_total',
        'dcmms_edge_alarms',
        'dcmms_edge_process_resident_memory_bytes',
      ]) {
        expect(metrics, name).toContain(name);
      }
      const status = (await (await fetch(`${base}/status`)).json()) as { site: string; ready: boolean; devices: { id: string }[]; uplink: unknown };
      expect(status).toMatchObject({ site: 'plant-01', ready: true, devices: [{ id: 'inv1' }], uplink: null });
      p.child.kill('SIGTERM');
      const exit = await p.exited;
      expect(exit.code).toBe(0);
      expect(p.output()).toContain('edge agent stopped; buffer flushed and closed');
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 90_000);

  it('run refuses to start without the uplink secret, naming it', async () => {
    const withSecret = join(dir.path, 'secret.yaml');
    writeFileSync(
      withSecret,
      stringify({
        ...simulatedSite({ simPort: sim.port, bufferPath: 'data/other.db', url: 'mqtt://127.0.0.1:1', uplink: { password: { env: 'DCMMS_TEST_SITE_SECRET' } } }),
        http: { enabled: false, port: 0 },
      }),
    );
    const result = await cli(['run', '--config', withSecret]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('DCMMS_EDGE_SECRET_MISSING: environment variable DCMMS_TEST_SITE_SECRET (the uplink password) is not set');
  }, 60_000);
});
