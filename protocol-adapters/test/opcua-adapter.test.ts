import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, deviceConfigSchema, type OpcuaDeviceConfig, type OpcuaTagInput } from '@dcmms/shared';
import { createOpcuaAdapter } from '../src/opcua/opcua-adapter.js';
import { browse } from '../src/opcua/browse.js';
import { simulatorNodeId, simulatorOpcuaDevice } from '../src/simulators/device-config.js';
import { startOpcuaSimulator, type OpcuaSimulator } from '../src/simulators/opcua-simulator.js';
import { expectedValue, getProfile } from '../src/simulators/profiles.js';
import type { DeviceAdapter } from '../src/adapter.js';
import { collectingSink, waitFor } from './support/sink.js';

const T0 = 1_700_000_000_000;
const clock = createManualClock(T0 + 12_345);
let sim: OpcuaSimulator;
let fast: OpcuaSimulator;
const adapters: DeviceAdapter[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dcmms-opcua-test-'));

beforeAll(async () => {
  sim = await startOpcuaSimulator({ profile: 'wind-turbine', seed: 7, clock, users: { operator: 's3cret' } });
  fast = await startOpcuaSimulator({ profile: 'wind-turbine', seed: 8, updateIntervalMs: 100 });
});
afterAll(async () => {
  for (const a of adapters) await a.stop();
  await sim?.stop();
  await fast?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function adapter(endpoint: string, extra: Record<string, unknown> = {}, tags?: OpcuaTagInput[]): DeviceAdapter {
  const input = simulatorOpcuaDevice('wind-turbine', endpoint, { name: 'wt', extra: { backoff: { initialMs: 100, maxMs: 500 }, ...extra } }) as Record<string, unknown>;
  if (tags) input['tags'] = tags;
  const a = createOpcuaAdapter(deviceConfigSchema.parse(input) as OpcuaDeviceConfig);
  adapters.push(a);
  return a;
}

describe('opcua adapter against the simulator', () => {
  it('reads every tag as the simulator computes it, with source timestamps', async () => {
    const rs = await adapter(sim.endpoint).readOnce();
    expect(rs).toHaveLength(getProfile('wind-turbine').points.length);
    for (const r of rs) {
      expect({ tag: r.tag, quality: r.quality, value: r.value }).toEqual({ tag: r.tag, quality: 'good', value: expectedValue(getProfile('wind-turbine'), r.tag.slice(3), 7, clock.now()) });
      expect(r.ts).toBe(T0 + 12_000);
    }
  });

  it('subscribes, and honours absolute deadbands', async () => {
    const a = adapter(fast.endpoint, { subscription: { publishingIntervalMs: 100, samplingIntervalMs: 50 } }, [
      { name: 'wt.wind_speed', nodeId: simulatorNodeId('wind_speed') },
      { name: 'wt.quiet', nodeId: simulatorNodeId('wind_speed'), subscription: { deadband: { type: 'absolute', value: 1000 } } },
      { name: 'wt.percent', nodeId: simulatorNodeId('active_power'), subscription: { deadband: { type: 'percent', value: 0 } } },
    ]);
    const sink = collectingSink();
    await a.start(sink);
    await waitFor('4 changes', () => sink.all.filter((r) => r.tag === 'wt.wind_speed').length >= 4);
    const speeds = sink.all.filter((r) => r.tag === 'wt.wind_speed');
    // Each change carries the simulator's update time as its source timestamp, in order.
    expect(speeds.every((r, i) => r.quality === 'good' && r.ts % 100 === 0 && (i === 0 || r.ts > speeds[i - 1]!.ts))).toBe(true);
    // Wind never moves 1000 m/s: only the initial value passes the deadband.
    expect(sink.all.filter((r) => r.tag === 'wt.quiet')).toHaveLength(1);
    expect(sink.all.filter((r) => r.tag === 'wt.percent').length).toBeGreaterThan(0);
    expect(sink.all.filter((r) => r.tag === 'wt.percent').every((r) => r.quality === 'good')).toBe(true);
    expect(a.state()).toBe('connected');
  });

  it('surfaces a percent deadband on an item without an EU range as a bad reading with the status', async () => {
    const a = adapter(fast.endpoint, {}, [
      { name: 'wt.state', nodeId: simulatorNodeId('state'), subscription: { deadband: { type: 'percent', value: 5 } } },
      { name: 'wt.ok', nodeId: simulatorNodeId('wind_speed') },
    ]);
    const sink = collectingSink();
    await a.start(sink);
    await waitFor('state reading', () => sink.all.some((r) => r.tag === 'wt.state'));
    const r = sink.all.find((x) => x.tag === 'wt.state')!;
    expect(r.quality).toBe('bad');
    expect(r.reason).toMatch(/^Bad(MonitoredItemFilterUnsupported|FilterNotAllowed|DeadbandFilterInvalid): percent deadband refused by the server/);
    expect(a.counters().deviceErrors).toBe(1);
    await waitFor('the other item still flows', () => sink.all.some((x) => x.tag === 'wt.ok' && x.quality === 'good'));
  });

  it('maps status codes to quality', async () => {
    const a = adapter(sim.endpoint, {}, [{ name: 'wt.wind_speed', nodeId: simulatorNodeId('wind_speed'), pollIntervalMs: 1000 }, { name: 'wt.missing', nodeId: 'ns=1;s=nope' }]);
    sim.setStatus('BadSensorFailure');
    const bad = await a.readOnce();
    sim.setStatus('UncertainLastUsableValue');
    const unsure = await a.readOnce();
    sim.setStatus(null);
    expect(bad).toEqual([
      { tag: 'wt.wind_speed', ts: expect.any(Number), value: null, quality: 'bad', reason: 'BadSensorFailure' },
      { tag: 'wt.missing', ts: expect.any(Number), value: null, quality: 'bad', reason: 'BadNodeIdUnknown' },
    ]);
    expect(unsure[0]).toMatchObject({ quality: 'uncertain', reason: 'UncertainLastUsableValue', value: expectedValue(getProfile('wind-turbine'), 'wind_speed', 7, clock.now()) });
  });

  it('writes writable tags only', async () => {
    const a = adapter(sim.endpoint);
    await a.start(collectingSink());
    await waitFor('connected', () => a.state() === 'connected');
    await a.write('wt.power_setpoint', 1500);
    const rs = await a.readOnce();
    expect(rs.find((r) => r.tag === 'wt.power_setpoint')!.value).toBe(1500);
    await expect(a.write('wt.active_power', 1)).rejects.toMatchObject({ code: 'DCMMS_ADAPTER_WRITE_REFUSED' });
    await a.stop();
  });

  it('browses variables with data type and access', async () => {
    const vars = await browse(sim.endpoint, 'ns=1;s=wind-turbine');
    const sp = vars.find((v) => v.nodeId === 'ns=1;s=power_setpoint');
    expect(sp).toMatchObject({ browsePath: 'power_setpoint', dataType: 'Float', access: ['read', 'write'] });
    expect(vars.find((v) => v.nodeId === 'ns=1;s=state')).toMatchObject({ dataType: 'UInt16', access: ['read'] });
    // The points, plus the EURange properties of the analog items below them.
    expect(vars.filter((v) => !v.browsePath.includes('/')).length).toBe(getProfile('wind-turbine').points.length);
    expect(vars.some((v) => v.browsePath === 'wind_speed/EURange')).toBe(true);
  });

  it('refuses an untrusted server certificate, then trusts it once placed in trusted/', async () => {
    const pki = path.join(tmp, 'pki-explicit');
    const secure = { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', pkiFolder: pki } as const;
    await expect(browse(sim.endpoint, 'ns=1;s=wind-turbine', secure)).rejects.toMatchObject({ code: 'DCMMS_OPCUA_UNTRUSTED_SERVER' });
    // The client made its own certificate on first run.
    expect(fs.readdirSync(path.join(pki, 'own', 'certs')).some((f) => f.endsWith('.pem'))).toBe(true);
    // What an operator does: move the rejected server certificate into trusted/certs.
    const rejected = fs.readdirSync(path.join(pki, 'rejected')).filter((f) => f.endsWith('.pem'));
    expect(rejected).toHaveLength(1);
    fs.renameSync(path.join(pki, 'rejected', rejected[0]!), path.join(pki, 'trusted', 'certs', rejected[0]!));
    // The certificate store watches its folders: the next attempt after the copy succeeds.
    let vars: Awaited<ReturnType<typeof browse>> = [];
    const deadline = Date.now() + 20_000;
    while (!vars.length && Date.now() < deadline) {
      vars = await browse(sim.endpoint, 'ns=1;s=wind-turbine', secure).catch(async () => {
        await new Promise((r) => setTimeout(r, 300));
        return [];
      });
    }
    expect(vars.length).toBeGreaterThan(40);
  });

  it('trusts on first use when configured, with a user name and password from the environment', async () => {
    process.env['DCMMS_TEST_OPCUA_PASSWORD'] = 's3cret';
    const a = adapter(sim.endpoint, {
      securityMode: 'Sign',
      securityPolicy: 'Basic256Sha256',
      pkiFolder: path.join(tmp, 'pki-tofu'),
      trustOnFirstUse: true,
      auth: { type: 'username', username: 'operator', password: { env: 'DCMMS_TEST_OPCUA_PASSWORD' } },
    });
    const rs = await a.readOnce();
    expect(rs.every((r) => r.quality === 'good')).toBe(true);
    const wrong = adapter(sim.endpoint, { pkiFolder: path.join(tmp, 'pki-tofu'), trustOnFirstUse: true, auth: { type: 'username', username: 'operator', password: { file: path.join(tmp, 'missing') } } });
    const bad = await wrong.readOnce();
    expect(bad[0]).toMatchObject({ quality: 'bad', reason: expect.stringMatching(/cannot read secret file/) });
  });

  it('reconnects and re-subscribes after the server restarts', async () => {
    const restarting = await startOpcuaSimulator({ profile: 'wind-turbine', seed: 9, updateIntervalMs: 100 });
    try {
      const a = adapter(restarting.endpoint, { subscription: { publishingIntervalMs: 100, samplingIntervalMs: 50 } }, [{ name: 'wt.wind_speed', nodeId: simulatorNodeId('wind_speed') }]);
      const sink = collectingSink();
      await a.start(sink);
      await waitFor('first values', () => sink.all.length >= 3);
      await restarting.restart(300);
      await waitFor('disconnected', () => sink.states.some((s) => s.state === 'disconnected'), 30_000);
      const m = sink.mark();
      await waitFor('values after restart', () => sink.since(m).length >= 3 && a.state() === 'connected', 60_000);
      expect(a.counters().reconnects).toBeGreaterThanOrEqual(1);
      await a.stop();
    } finally {
      await restarting.stop();
    }
  });
});
