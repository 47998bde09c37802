import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, deviceConfigSchema, type ModbusDeviceConfig } from '@dcmms/shared';
import { createModbusAdapter } from '../src/modbus/modbus-adapter.js';
import { simulatorModbusDevice } from '../src/simulators/device-config.js';
import { startModbusSimulator, type GarbageMode, type ModbusSimulator } from '../src/simulators/modbus-simulator.js';
import { expectedValue, getProfile, type ProfileName } from '../src/simulators/profiles.js';
import type { DeviceAdapter } from '../src/adapter.js';
import { collectingSink, waitFor } from './support/sink.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function sim(options: Parameters<typeof startModbusSimulator>[0]): Promise<ModbusSimulator> {
  const s = await startModbusSimulator(options);
  cleanups.push(() => s.stop());
  return s;
}

function adapterFor(s: ModbusSimulator, profile: ProfileName, extra: Record<string, unknown> = {}, deps: Parameters<typeof createModbusAdapter>[1] = {}): { adapter: DeviceAdapter; config: ModbusDeviceConfig } {
  const config = deviceConfigSchema.parse(
    simulatorModbusDevice(profile, { host: s.host, port: s.port }, { name: 'dev', extra: { timeoutMs: 300, retries: 0, backoff: { initialMs: 50, maxMs: 200 }, ...extra } }),
  ) as ModbusDeviceConfig;
  const adapter = createModbusAdapter(config, deps);
  cleanups.push(() => adapter.stop());
  return { adapter, config };
}

describe('modbus adapter against the simulator', () => {
  it.each(['pv-inverter', 'energy-meter', 'wind-turbine'] as const)('reads every %s tag as the simulator computes it', async (profile) => {
    const clock = createManualClock(1_700_000_123_456);
    const s = await sim({ profile, seed: 42, clock });
    const { adapter, config } = adapterFor(s, profile, {}, { clock });
    const readings = await adapter.readOnce();
    expect(readings).toHaveLength(config.tags.length);
    for (const r of readings) {
      const point = r.tag.slice('dev.'.length);
      expect({ tag: r.tag, quality: r.quality, value: r.value }).toEqual({ tag: r.tag, quality: 'good', value: expectedValue(getProfile(profile), point, 42, clock.now()) });
      expect(r.ts).toBe(clock.now());
    }
    // Scaled values come out as clean decimals.
    const v = readings.find((r) => r.tag === 'dev.ac_voltage_l1' || r.tag === 'dev.temperature' || r.tag === 'dev.nacelle_temperature')!;
    expect(String(v.value)).toMatch(/^-?\d+(\.\d)?$/);
    // Coalescing: the whole device in a handful of requests.
    expect(adapter.counters().requests).toBeLessThanOrEqual(8);
  });

  it('polls on wall-clock multiples: one cycle per multiple at most, each reading every tag', async () => {
    const s = await sim({ profile: 'register-bank' });
    const { adapter } = adapterFor(s, 'register-bank', { pollIntervalMs: 100 });
    await adapter.readOnce();
    const perCycle = adapter.counters().requests;
    const sink = collectingSink();
    await adapter.start(sink);
    await waitFor('connected', () => adapter.state() === 'connected');
    const from = Date.now();
    const requestsBefore = adapter.counters().requests;
    await waitFor('10 cycles', () => new Set(sink.all.map((r) => Math.floor(r.ts / 100))).size >= 10);
    await adapter.stop();
    const elapsedCycles = Math.ceil((Date.now() - from) / 100) + 1;
    const c = adapter.counters();
    expect(sink.all.every((r) => r.quality === 'good')).toBe(true);
    // Never more cycles than multiples of the interval went by (late ones are counted as
    // missed, not run late).
    const cyclesRun = (c.requests - requestsBefore) / perCycle;
    expect(cyclesRun).toBeLessThanOrEqual(elapsedCycles);
    expect(cyclesRun + c.missedCycles).toBeGreaterThanOrEqual(elapsedCycles - 3);
    // Every cycle read every one of the 2,000 tags (the last one may have been cut by stop()).
    const perTag = new Map<string, number>();
    for (const r of sink.all) perTag.set(r.tag, (perTag.get(r.tag) ?? 0) + 1);
    expect(perTag.size).toBe(2000);
    expect(Math.max(...perTag.values()) - Math.min(...perTag.values())).toBeLessThanOrEqual(1);
  });

  it('counts and skips cycles a slow device cannot keep up with, never queueing them', async () => {
    const s = await sim({ profile: 'energy-meter' });
    s.faults.delayMs = 250;
    const { adapter } = adapterFor(s, 'energy-meter', { pollIntervalMs: 100, timeoutMs: 1000 });
    const sink = collectingSink();
    await adapter.start(sink);
    await waitFor('missed cycles', () => adapter.counters().missedCycles >= 4);
    const requestsBefore = s.requests();
    await adapter.stop();
    // At most one cycle in flight: requests never pile up at the device.
    expect(requestsBefore).toBeLessThan(20);
    expect(sink.all.every((r) => r.quality === 'good')).toBe(true);
  });

  it('keeps at most `concurrency` requests in flight on a TCP connection', async () => {
    for (const concurrency of [1, 3]) {
      const s = await sim({ profile: 'pv-inverter' });
      s.faults.delayMs = 60;
      const { adapter } = adapterFor(s, 'pv-inverter', { concurrency, timeoutMs: 2000 });
      const rs = await adapter.readOnce();
      expect(rs.every((r) => r.quality === 'good')).toBe(true);
      // The inverter takes 8 requests: with a slow device they overlap up to the limit.
      expect(s.peakInFlight()).toBe(concurrency);
    }
  });

  it('waits interRequestDelayMs between requests to a slow device', async () => {
    const s = await sim({ profile: 'pv-inverter' });
    const { adapter } = adapterFor(s, 'pv-inverter', { interRequestDelayMs: 80 });
    await adapter.readOnce();
    const t = s.arrivals();
    expect(t.length).toBe(8);
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeGreaterThanOrEqual(75);
  });

  it('turns exception responses into bad readings with the code, and recovers', async () => {
    const s = await sim({ profile: 'pv-inverter' });
    const { adapter } = adapterFor(s, 'pv-inverter');
    s.faults.exceptionCode = 2;
    const bad = await adapter.readOnce();
    expect(bad.every((r) => r.quality === 'bad' && r.reason === 'exception:2' && r.value === null)).toBe(true);
    expect(adapter.counters().deviceErrors).toBeGreaterThan(0);
    s.faults.exceptionCode = null;
    expect((await adapter.readOnce()).every((r) => r.quality === 'good')).toBe(true);
  });

  it('times out, retries, then reports bad readings', async () => {
    const s = await sim({ profile: 'energy-meter' });
    const { adapter } = adapterFor(s, 'energy-meter', { retries: 2, timeoutMs: 100 });
    await adapter.readOnce();
    const before = s.requests();
    s.faults.silent = true;
    const rs = await adapter.readOnce();
    expect(rs.every((r) => r.quality === 'bad' && r.value === null)).toBe(true);
    expect(rs[0]!.reason).toBe('timeout');
    // The first request was tried three times; three timeouts in a row rebuild the connection.
    expect(adapter.counters().timeouts).toBeGreaterThanOrEqual(3);
    expect(s.requests() - before).toBe(adapter.counters().timeouts);
    s.faults.silent = false;
    await waitFor('reconnected', () => s.connections() === 1);
  });

  it.each(['random', 'wrong-length', 'wrong-transaction', 'wrong-unit', 'truncated'] as GarbageMode[])('survives %s replies with bad readings and reads again afterwards', async (mode) => {
    const s = await sim({ profile: 'pv-inverter' });
    const { adapter } = adapterFor(s, 'pv-inverter', { timeoutMs: 200 });
    s.faults.garbage = mode;
    const rs = await adapter.readOnce();
    expect(rs.length).toBeGreaterThan(0);
    expect(rs.every((r) => r.quality === 'bad' && typeof r.reason === 'string' && r.value === null)).toBe(true);
    s.faults.garbage = 'none';
    let good = false;
    for (let i = 0; i < 10 && !good; i++) {
      good = (await adapter.readOnce()).every((r) => r.quality === 'good');
      if (!good) await new Promise((r) => setTimeout(r, 100));
    }
    expect(good).toBe(true);
  });

  it('reconnects after dropped connections and after a server restart', async () => {
    const s = await sim({ profile: 'energy-meter' });
    const { adapter } = adapterFor(s, 'energy-meter', { pollIntervalMs: 100 });
    const sink = collectingSink();
    await adapter.start(sink);
    await waitFor('connected', () => adapter.state() === 'connected');
    s.dropConnections();
    await waitFor('disconnected event', () => sink.states.some((e) => e.state === 'disconnected'));
    await waitFor('reconnected', () => adapter.state() === 'connected' && s.connections() === 1);
    await s.restart(600);
    const m = sink.mark();
    await waitFor('bad readings while down', () => sink.since(m).some((r) => r.quality === 'bad' && r.reason!.startsWith('disconnected')));
    await waitFor('good readings after restart', () => sink.since(m).slice(-5).some((r) => r.quality === 'good'));
    expect(adapter.counters().reconnects).toBeGreaterThanOrEqual(2);
    // An old value is never re-stamped: bad readings carry no value.
    expect(sink.all.filter((r) => r.quality === 'bad').every((r) => r.value === null)).toBe(true);
  });

  it('reports a frozen device as frozen values, and writes only writable tags', async () => {
    const clock = createManualClock(1_700_000_000_000);
    const s = await sim({ profile: 'pv-inverter', clock, seed: 3 });
    const { adapter } = adapterFor(s, 'pv-inverter', {}, { clock });
    s.freeze(true);
    const a = await adapter.readOnce();
    clock.advance(60_000);
    const b = await adapter.readOnce();
    expect(b.map((r) => r.value)).toEqual(a.map((r) => r.value));
    expect(b[0]!.ts).toBe(a[0]!.ts + 60_000);
    s.freeze(false);

    await adapter.write('dev.power_limit', 55.5);
    await adapter.write('dev.remote_on', false);
    const after = await adapter.readOnce();
    expect(after.find((r) => r.tag === 'dev.power_limit')!.value).toBe(55.5);
    expect(after.find((r) => r.tag === 'dev.remote_on')!.value).toBe(false);
    await expect(adapter.write('dev.ac_power', 1)).rejects.toMatchObject({ code: 'DCMMS_ADAPTER_WRITE_REFUSED' });
    await expect(adapter.write('dev.nope', 1)).rejects.toMatchObject({ code: 'DCMMS_ADAPTER_WRITE_REFUSED' });
    await expect(adapter.write('dev.power_limit', 1e9)).rejects.toMatchObject({ code: 'DCMMS_ADAPTER_WRITE_REFUSED' });
  });

  it('reports bad readings when the device is unreachable, without throwing', async () => {
    const s = await sim({ profile: 'energy-meter' });
    const port = s.port;
    await s.stop();
    const config = deviceConfigSchema.parse(simulatorModbusDevice('energy-meter', { host: '127.0.0.1', port }, { name: 'gone' })) as ModbusDeviceConfig;
    const adapter = createModbusAdapter(config);
    const rs = await adapter.readOnce();
    expect(rs.every((r) => r.quality === 'bad' && r.reason === 'disconnected: ECONNREFUSED')).toBe(true);
  });
});
