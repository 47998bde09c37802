import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { deviceConfigSchema, type ModbusDeviceConfig } from '@dcmms/shared';
import { createModbusAdapter } from '../src/modbus/modbus-adapter.js';
import { simulatorModbusDevice } from '../src/simulators/device-config.js';

const CLI = fileURLToPath(new URL('../src/simulators/cli.ts', import.meta.url));
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', '--conditions=dcmms-source', CLI, ...args]] as const;

describe('dcmms-sim CLI', () => {
  it('prints help', async () => {
    const [cmd, args] = node(['--help']);
    const { stdout } = await promisify(execFile)(cmd, args, { timeout: 60_000 });
    expect(stdout).toMatch(/dcmms-sim modbus --port N --profile NAME/);
    expect(stdout).toMatch(/pv-inverter +25 kW/);
  });

  it('refuses an unknown profile with exit code 2', async () => {
    const [cmd, args] = node(['modbus', '--profile', 'toaster']);
    await expect(promisify(execFile)(cmd, args, { timeout: 60_000 })).rejects.toMatchObject({ code: 2 });
  });

  it('serves a profile that the adapter reads, and stops on SIGTERM', async () => {
    const [cmd, args] = node(['modbus', '--port', '0', '--profile', 'energy-meter', '--seed', '4']);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const config = deviceConfigSchema.parse(simulatorModbusDevice('energy-meter', { host: '127.0.0.1', port }, { name: 'm' })) as ModbusDeviceConfig;
    const rs = await createModbusAdapter(config).readOnce();
    expect(rs.length).toBe(config.tags.length);
    expect(rs.every((r) => r.quality === 'good')).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
