import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, deviceConfigSchema, type DeviceConfigInput, type ModbusDeviceConfig, type ModbusTagInput } from '@dcmms/shared';
import { createModbusAdapter } from '../../src/modbus/modbus-adapter.js';
import { simulatorModbusDevice, simulatorModbusTags } from '../../src/simulators/device-config.js';
import { startModbusSimulator, startRtuSimulator } from '../../src/simulators/modbus-simulator.js';
import { expectedValue, getProfile } from '../../src/simulators/profiles.js';
import type { DeviceAdapter } from '../../src/adapter.js';
import { collectingSink, waitFor } from '../support/sink.js';
import { PEERS_DIR, ensurePythonPeers, freePort, mbpoll, python, startPeer, startPtyPair } from './support/peers.js';

/** Values in every type and byte order, encoded by the peer with Python's struct module. */
interface Vector {
  readonly tag: ModbusTagInput;
  readonly value: number | string;
  readonly expected: number | string;
}
const orders = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
const vectors: Vector[] = [];
let addr = 0;
const add = (type: ModbusTagInput['type'], value: number | string, expected: number | string, byteOrder: (typeof orders)[number] = 'ABCD', length?: number): void => {
  const width = type === 'string' ? length! : type === 'int16' || type === 'uint16' ? 1 : type!.endsWith('64') ? 4 : 2;
  vectors.push({ tag: { name: `v${vectors.length}.${type}.${byteOrder}`, register: 'holding', address: addr, type, byteOrder, ...(length ? { length } : {}) }, value, expected });
  addr += width;
};
for (const o of orders) {
  add('float32', 123.456, Math.fround(123.456), o);
  add('float32', -1.5, -1.5, o);
  add('float64', 123.456, 123.456, o);
  add('float64', -1.5, -1.5, o);
  add('int32', -123456789, -123456789, o);
  add('uint32', 4000000000, 4000000000, o);
  add('int64', -9007199254740991, -9007199254740991, o);
  add('uint64', 9007199254740991, 9007199254740991, o);
  add('int16', -1234, -1234, o);
  add('uint16', 65000, 65000, o);
}
add('string', 'PYMODBUS-PEER', 'PYMODBUS-PEER', 'ABCD', 8);
add('string', 'SWAPPED', 'SWAPPED', 'BADC', 4);
const spec = JSON.stringify(vectors.map((v) => ({ address: v.tag.address, type: v.tag.type, byteOrder: v.tag.byteOrder, value: v.value, length: v.tag.length })));

const adapters: DeviceAdapter[] = [];
const stops: (() => Promise<void>)[] = [];
beforeAll(async () => {
  await ensurePythonPeers();
}, 300_000);
afterAll(async () => {
  for (const a of adapters) await a.stop();
  while (stops.length) await stops.pop()!();
});

function adapter(input: DeviceConfigInput): DeviceAdapter {
  const a = createModbusAdapter(deviceConfigSchema.parse(input) as ModbusDeviceConfig);
  adapters.push(a);
  return a;
}

describe('Modbus against independent peers', () => {
  it('reads every type and byte order from a pymodbus server over TCP', async () => {
    const port = await freePort();
    const peer = await startPeer(python(), [`${PEERS_DIR}pymodbus_server.py`, '--port', String(port), '--spec', spec], /READY/);
    stops.push(() => peer.stop());
    const a = adapter({ protocol: 'modbus-tcp', name: 'pymodbus', host: '127.0.0.1', port, timeoutMs: 2000, tags: vectors.map((v) => v.tag) });
    let rs = await a.readOnce();
    // pymodbus prints READY just before it binds: give it a moment on a busy machine.
    for (let i = 0; i < 20 && rs.some((r) => r.quality !== 'good'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      rs = await a.readOnce();
    }
    expect(rs.map((r) => [r.tag, r.quality, r.value])).toEqual(vectors.map((v) => [v.tag.name, 'good', v.expected]));
  });

  it('mbpoll reads and writes our simulator over TCP', async () => {
    const clock = createManualClock(1_700_000_042_000);
    const sim = await startModbusSimulator({ profile: 'pv-inverter', seed: 5, clock });
    stops.push(() => sim.stop());
    const pv = getProfile('pv-inverter');
    const raw = (name: string): number => pv.points.find((p) => p.name === name)!.raw(Math.floor(clock.now() / 1000), 5) as number;
    // mbpoll counts from 1: reference 41 is protocol address 40 (ac_voltage_l1..l3).
    const out = await mbpoll(['-m', 'tcp', '-p', String(sim.port), '-a', '1', '-t', '4', '-r', '41', '-c', '3', '-1', '127.0.0.1']);
    const regs = [...out.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(regs).toEqual([
      [41, raw('ac_voltage_l1')],
      [42, raw('ac_voltage_l2')],
      [43, raw('ac_voltage_l3')],
    ]);
    // A big-endian float (efficiency at 76..77).
    const f = await mbpoll(['-m', 'tcp', '-p', String(sim.port), '-a', '1', '-t', '4:float', '-B', '-r', '77', '-c', '1', '-1', '127.0.0.1']);
    expect(Number(/^\[77\]:\s+(\S+)/m.exec(f)![1])).toBeCloseTo(raw('efficiency'), 4);
    // mbpoll writes the power limit (raw 555 = 55.5 %); our adapter reads it back.
    await mbpoll(['-m', 'tcp', '-p', String(sim.port), '-a', '1', '-t', '4', '-r', '101', '-1', '127.0.0.1', '555']);
    const a = adapter(simulatorModbusDevice('pv-inverter', { host: '127.0.0.1', port: sim.port }, { name: 'pv' }));
    const rs = await a.readOnce();
    expect(rs.find((r) => r.tag === 'pv.power_limit')).toMatchObject({ quality: 'good', value: 55.5 });
  });

  it('reads a pymodbus RTU slave over a socat pty pair', async () => {
    const pty = await startPtyPair();
    stops.push(pty.stop);
    const peer = await startPeer(python(), [`${PEERS_DIR}pymodbus_server.py`, '--serial', pty.b, '--spec', spec, '--unit', '3'], /READY/);
    stops.push(() => peer.stop());
    // pyserial cannot set parity on a pty (EINVAL), so this line runs 8N1.
    const a = adapter({ protocol: 'modbus-rtu', name: 'rtu-peer', unitId: 3, timeoutMs: 1500, serial: { path: pty.a, baudRate: 9600, parity: 'none' }, tags: vectors.map((v) => v.tag) });
    let rs = await a.readOnce();
    for (let i = 0; i < 20 && rs.some((r) => r.quality !== 'good'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      rs = await a.readOnce();
    }
    expect(rs.map((r) => [r.tag, r.quality, r.value])).toEqual(vectors.map((v) => [v.tag.name, 'good', v.expected]));
    await a.stop();
  });

  it('shares one RTU line between two unit ids (one request at a time), and mbpoll reads our RTU simulator', async () => {
    const pty = await startPtyPair();
    stops.push(pty.stop);
    const clock = createManualClock(1_700_000_100_000);
    const sim = await startRtuSimulator({
      path: pty.b,
      clock,
      units: [
        { unitId: 1, profile: 'energy-meter', seed: 11 },
        { unitId: 2, profile: 'pv-inverter', seed: 12 },
      ],
    });
    stops.push(() => sim.stop());
    const serial = { path: pty.a, baudRate: 9600, parity: 'even' } as const;
    const meter = adapter({ protocol: 'modbus-rtu', name: 'meter', unitId: 1, pollIntervalMs: 500, timeoutMs: 1500, serial, tags: simulatorModbusTags('energy-meter', 'meter') });
    const inverter = adapter({ protocol: 'modbus-rtu', name: 'inv', unitId: 2, pollIntervalMs: 500, timeoutMs: 1500, serial, tags: simulatorModbusTags('pv-inverter', 'inv') });
    const sink = collectingSink();
    await meter.start(sink);
    await inverter.start(sink);
    await waitFor('two cycles of both devices', () => sink.all.filter((r) => r.tag === 'meter.frequency').length >= 2 && sink.all.filter((r) => r.tag === 'inv.ac_power').length >= 2, 30_000);
    await meter.stop();
    await inverter.stop();
    // Interleaved requests on one line would garble frames: every reading is good and right.
    expect(sink.all.filter((r) => r.quality !== 'good')).toEqual([]);
    for (const r of sink.all) {
      const [dev, point] = r.tag.split('.') as [string, string];
      expect(r.value).toEqual(expectedValue(getProfile(dev === 'meter' ? 'energy-meter' : 'pv-inverter'), point, dev === 'meter' ? 11 : 12, clock.now()));
    }
    // Now an independent master on the same line: mbpoll reads unit 2's AC voltages.
    // A reply to a request in flight when our adapters stopped may still sit in the pty:
    // let the line go quiet, and retry once as any master would after a garbled frame.
    await new Promise((r) => setTimeout(r, 300));
    const args = ['-m', 'rtu', '-b', '9600', '-P', 'even', '-a', '2', '-t', '4', '-r', '41', '-c', '3', '-1', '-o', '2', pty.a];
    const out = await mbpoll(args).catch(() => mbpoll(args));
    const pv = getProfile('pv-inverter');
    const regs = [...out.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => Number(m[2]));
    expect(regs).toEqual(['ac_voltage_l1', 'ac_voltage_l2', 'ac_voltage_l3'].map((n) => pv.points.find((p) => p.name === n)!.raw(Math.floor(clock.now() / 1000), 12)));
  });
});
