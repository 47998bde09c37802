import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdapter, simulatorModbusDevice, startModbusSimulator } from '@dcmms/protocol-adapters';
import type { DeviceAdapter } from '@dcmms/protocol-adapters';
import { ValidationError, parseSiteConfig, uplinkConfigSchema } from '@dcmms/shared';
import type { DeviceConfig } from '@dcmms/shared';
import { DeviceSet, isEdgeError, loadSiteConfig, parseSiteConfigText, planConfigChange, readSecret, resolveUplinkCredentials } from '../src/index.js';
import { tempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('site config file', () => {
  it('reports YAML syntax errors with their position', () => {
    let error: unknown;
    try {
      parseSiteConfigText('site: plant-01\ndevices: [\n  - oops: : :\n', 'x.yaml');
    } catch (err) {
      error = err;
    }
    expect(isEdgeError(error, 'DCMMS_EDGE_CONFIG_UNREADABLE')).toBe(true);
    expect((error as Error).message).toMatch(/line \d+, column \d+/);
  });

  it('reports every schema problem with its path and line, a missing key at its parent', () => {
    const text = ['site: plant-01', 'alarms:', '  - id: a', '    type: stale', '    tag: nowhere', '  - id: b', '    type: comm_loss', '    device: ghost', 'uplink:', '  keepaliveS: 1'].join('\n');
    expect(issuesOf(() => parseSiteConfigText(text, 'x.yaml'))).toEqual([
      'alarms[0].afterMs: Invalid input: expected number, received undefined (line 3)',
      'uplink.url: expected an mqtt:// or mqtts:// URL (line 10)',
      'uplink.keepaliveS: Too small: expected number to be >=5 (line 10)',
    ]);
  });

  it('accepts the annotated example in edge-agent/examples', () => {
    const loaded = loadSiteConfig(fileURLToPath(new URL('../examples/site.yaml', import.meta.url)));
    expect(loaded.config).toMatchObject({ site: 'pv-plant-07', devices: [{ name: 'inv1' }, { name: 'wt1' }] });
    expect(loaded.config.alarms).toHaveLength(6);
  });

  it('refuses duplicate keys instead of silently keeping the last', () => {
    expect(() => parseSiteConfigText('site: a\nsite: b\n', 'x.yaml')).toThrow(/Map keys must be unique/);
  });

  it('loads a file and resolves relative paths and secrets against its folder', () => {
    writeFileSync(join(dir.path, 'secret.txt'), 'hunter2\n');
    writeFileSync(join(dir.path, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    writeFileSync(join(dir.path, 'site.yaml'), 'site: plant-01\nuplink:\n  url: mqtts://gw:8883\n  tls: { ca: ca.pem }\n  password: { file: secret.txt }\n');
    const loaded = loadSiteConfig(join(dir.path, 'site.yaml'));
    expect(loaded.baseDir).toBe(dir.path);
    const creds = resolveUplinkCredentials(loaded.config.uplink!, 'plant-01', loaded.baseDir);
    expect(creds).toMatchObject({ username: 'plant-01', password: 'hunter2' });
    expect(creds.ca?.toString()).toContain('BEGIN CERTIFICATE');
    expect(readSecret({ env: 'X_SECRET' }, dir.path, { X_SECRET: 'v' })).toBe('v');
    expect(() => readSecret({ env: 'X_SECRET' }, dir.path, {})).toThrow(/X_SECRET/);
    expect(() => resolveUplinkCredentials(uplinkConfigSchema.parse({ url: 'mqtts://gw', tls: { ca: 'missing.pem' } }), 's', dir.path)).toThrow(/missing\.pem/);
  });
});

describe('planConfigChange', () => {
  const current = parseSiteConfig({
    site: 'plant-01',
    devices: [{ protocol: 'modbus-tcp', name: 'd', host: 'h', tags: [{ name: 'd.a', register: 'holding', address: 0 }] }],
    buffer: { path: '/var/lib/dcmms/buffer.db', maxBytes: 1_000_000 },
    uplink: { url: 'mqtts://gw:8883' },
  });
  const env = (body: unknown, site = 'plant-01') => ({ site, version: 2, issuedAt: 1, body });

  it('takes devices and alarms from the cloud and keeps the local sections it omits', () => {
    const plan = planConfigChange(current, env({ devices: [], alarms: [] }), 'plant-01');
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.config.devices).toEqual([]);
    expect(plan.config.uplink).toEqual(current.uplink);
    expect(plan.config.buffer).toEqual(current.buffer);
  });

  it('applies new buffer limits but never moves the buffer', () => {
    const limits = planConfigChange(current, env({ buffer: { path: '/var/lib/dcmms/buffer.db', maxBytes: 5_000_000 } }), 'plant-01');
    expect(limits.ok && limits.config.buffer.maxBytes).toBe(5_000_000);
    expect(planConfigChange(current, env({ buffer: { path: '/tmp/x.db' } }), 'plant-01')).toEqual({ ok: false, reason: 'buffer.path cannot change over the downlink (running: /var/lib/dcmms/buffer.db)' });
  });

  it('refuses another site, a changed uplink, and an invalid body with every path', () => {
    expect(planConfigChange(current, env({}, 'plant-02'), 'plant-01')).toMatchObject({ ok: false, reason: expect.stringContaining('for site plant-02') });
    expect(planConfigChange(current, env({ site: 'plant-02' }), 'plant-01')).toMatchObject({ ok: false });
    expect(planConfigChange(current, env({ uplink: { url: 'mqtt://evil:1883' } }), 'plant-01')).toMatchObject({ ok: false, reason: expect.stringContaining('uplink can only be changed') });
    expect(planConfigChange(current, env({ uplink: current.uplink }), 'plant-01').ok).toBe(true);
    const bad = planConfigChange(current, env({ devices: 'none', alarms: [{ id: 'x', type: 'trip' }] }), 'plant-01');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.reason).toContain('devices: Invalid input: expected array');
      expect(bad.reason).toContain('alarms[0].tag');
    }
    expect(planConfigChange(current, env([]), 'plant-01')).toEqual({ ok: false, reason: 'the config body must be an object' });
  });
});

describe('DeviceSet', () => {
  it('starts new adapters before stopping old ones, keeps unchanged ones, and rolls back if one cannot start', async () => {
    const sim = await startModbusSimulator({ profile: 'energy-meter', seed: 1 });
    try {
      const device = (name: string, poll = 200) => parseSiteConfig({ site: 's', devices: [simulatorModbusDevice('energy-meter', { host: '127.0.0.1', port: sim.port }, { name, pollIntervalMs: poll })] }).devices[0]!;
      const events: string[] = [];
      const made: DeviceAdapter[] = [];
      const factory = (d: DeviceConfig): DeviceAdapter => {
        if (d.name === 'broken') throw new Error('no adapter for this one');
        const a = createAdapter(d);
        made.push(a);
        return {
          ...a,
          device: a.device,
          start: async (sink) => {
            events.push(`start ${d.name} ${JSON.stringify(d.pollIntervalMs)}`);
            await a.start(sink);
          },
          stop: async () => {
            events.push(`stop ${d.name} ${JSON.stringify(d.pollIntervalMs)}`);
            await a.stop();
          },
          state: () => a.state(),
          counters: () => a.counters(),
        };
      };
      const seen = new Set<string>();
      const set = new DeviceSet(factory, { readings: (dev) => seen.add(dev), state: () => undefined });
      await set.apply([device('m1'), device('m2')]);
      await waitFor(() => seen.has('m1') && seen.has('m2'), 'both polling');
      events.length = 0;
      await set.apply([device('m1'), device('m2', 500)]);
      expect(events).toEqual(['start m2 500', 'stop m2 200']);
      events.length = 0;
      await expect(set.apply([device('m1', 300), device('broken')])).rejects.toThrow(/device broken: no adapter/);
      expect(events).toEqual(['start m1 300', 'stop m1 300']);
      expect(set.states().map((s) => s.id)).toEqual(['m1', 'm2']);
      events.length = 0;
      await set.stopAll();
      expect(events.sort()).toEqual(['stop m1 200', 'stop m2 500']);
    } finally {
      await sim.stop();
    }
  }, 30_000);
});
