import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceConfigSchema, type OpcuaDeviceConfig } from '@dcmms/shared';
import { createOpcuaAdapter } from '../../src/opcua/opcua-adapter.js';
import { browse } from '../../src/opcua/browse.js';
import type { DeviceAdapter } from '../../src/adapter.js';
import { collectingSink, waitFor } from '../support/sink.js';
import { PEERS_DIR, ensurePythonPeers, freePort, python, startPeer, type Peer } from './support/peers.js';

/** asyncua registers our namespace after its own: index 2. */
const ns = (name: string): string => `ns=2;s=${name}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dcmms-asyncua-'));
let plain: { peer: Peer; endpoint: string };
let secure: { peer: Peer; endpoint: string };
const adapters: DeviceAdapter[] = [];

async function startAsyncua(extra: string[]): Promise<{ peer: Peer; endpoint: string }> {
  const port = await freePort();
  const peer = await startPeer(python(), [`${PEERS_DIR}asyncua_server.py`, '--port', String(port), ...extra], /READY/, 120_000);
  return { peer, endpoint: `opc.tcp://127.0.0.1:${port}/interop` };
}

beforeAll(async () => {
  await ensurePythonPeers();
  [plain, secure] = await Promise.all([
    startAsyncua([]),
    startAsyncua(['--secure', '--pki', path.join(tmp, 'server-pki'), '--cert-out', path.join(tmp, 'server.der'), '--user', 'operator:interop-pass']),
  ]);
}, 300_000);
afterAll(async () => {
  for (const a of adapters) await a.stop();
  await plain?.peer.stop();
  await secure?.peer.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function adapter(input: Record<string, unknown>): DeviceAdapter {
  const a = createOpcuaAdapter(deviceConfigSchema.parse({ protocol: 'opcua', name: 'asyncua', backoff: { initialMs: 100, maxMs: 1000 }, ...input }) as OpcuaDeviceConfig);
  adapters.push(a);
  return a;
}

describe('OPC-UA against asyncua', () => {
  it('reads every scalar type', async () => {
    const names = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float', 'double', 'string'];
    const a = adapter({ endpoint: plain.endpoint, tags: names.map((n) => ({ name: `p.${n}`, nodeId: ns(n), pollIntervalMs: 1000 })) });
    const rs = await a.readOnce();
    expect(rs.map((r) => [r.tag, r.quality, r.value])).toEqual([
      ['p.bool', 'good', true],
      ['p.int16', 'good', -1234],
      ['p.uint16', 'good', 65000],
      ['p.int32', 'good', -123456789],
      ['p.uint32', 'good', 4000000000],
      ['p.int64', 'good', -9007199254740991],
      ['p.uint64', 'good', 9007199254740991],
      ['p.float', 'good', Math.fround(123.456)],
      ['p.double', 'good', -1.5],
      ['p.string', 'good', 'asyncua says hello'],
    ]);
    const missing = await adapter({ endpoint: plain.endpoint, tags: [{ name: 'p.none', nodeId: ns('none') }] }).readOnce();
    expect(missing[0]).toMatchObject({ quality: 'bad', reason: 'BadNodeIdUnknown', value: null });
  });

  it('subscribes with source timestamps, and applies an absolute deadband', async () => {
    const a = adapter({
      endpoint: plain.endpoint,
      subscription: { publishingIntervalMs: 100, samplingIntervalMs: 50 },
      tags: [
        { name: 'p.counter', nodeId: ns('counter') },
        // asyncua compares each sample with the previous sample (not with the last value
        // reported), so a ramp of 0.5 per sample passes a deadband of 0.4 and never one of 0.6.
        { name: 'p.ramp_fine', nodeId: ns('ramp'), subscription: { deadband: { type: 'absolute', value: 0.4 } } },
        { name: 'p.ramp_coarse', nodeId: ns('ramp'), subscription: { deadband: { type: 'absolute', value: 0.6 } } },
      ],
    });
    const sink = collectingSink();
    await a.start(sink);
    await waitFor('counter changes', () => sink.all.filter((r) => r.tag === 'p.counter').length >= 15, 30_000);
    await waitFor('ramp changes', () => sink.all.filter((r) => r.tag === 'p.ramp_fine').length >= 10, 30_000);
    await a.stop();
    const counter = sink.all.filter((r) => r.tag === 'p.counter');
    expect(counter.every((r) => r.quality === 'good')).toBe(true);
    // The counter only grows, and its timestamps are the server's, in order.
    for (let i = 1; i < counter.length; i++) {
      expect(counter[i]!.value as number).toBeGreaterThan(counter[i - 1]!.value as number);
      expect(counter[i]!.ts).toBeGreaterThanOrEqual(counter[i - 1]!.ts);
    }
    const fine = sink.all.filter((r) => r.tag === 'p.ramp_fine').map((r) => r.value as number);
    for (let i = 1; i < fine.length; i++) expect(fine[i]! - fine[i - 1]!).toBeGreaterThanOrEqual(0.5);
    // Only the initial value passes the coarse deadband.
    expect(sink.all.filter((r) => r.tag === 'p.ramp_coarse')).toHaveLength(1);
  });

  it('writes a writable variable', async () => {
    const a = adapter({ endpoint: plain.endpoint, tags: [{ name: 'p.setpoint', nodeId: ns('setpoint'), writable: true }] });
    const sink = collectingSink();
    await a.start(sink);
    await waitFor('connected', () => a.state() === 'connected');
    await a.write('p.setpoint', 42.5);
    await waitFor('written value', () => sink.all.some((r) => r.value === 42.5));
  });

  it('browses the plant folder', async () => {
    const vars = await browse(plain.endpoint, ns('Plant'));
    expect(vars.find((v) => v.nodeId === ns('uint16'))).toMatchObject({ browsePath: 'uint16', dataType: 'UInt16' });
    expect(vars.find((v) => v.nodeId === ns('setpoint'))?.access).toContain('write');
    expect(vars.length).toBe(13);
  });

  it('Basic256Sha256 SignAndEncrypt with explicit trust and a user name', async () => {
    const pki = path.join(tmp, 'client-pki');
    fs.writeFileSync(path.join(tmp, 'password'), 'interop-pass\n');
    const config = {
      endpoint: secure.endpoint,
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      pkiFolder: pki,
      auth: { type: 'username', username: 'operator', password: { file: path.join(tmp, 'password') } },
      tags: [{ name: 's.counter', nodeId: ns('counter') }, { name: 's.double', nodeId: ns('double'), pollIntervalMs: 1000 }],
    } as const;
    // Not trusted yet: the server's certificate lands in rejected/ and the session is refused.
    await expect(browse(secure.endpoint, ns('Plant'), config)).rejects.toMatchObject({ code: 'DCMMS_OPCUA_UNTRUSTED_SERVER' });
    const rejected = fs.readdirSync(path.join(pki, 'rejected')).filter((f) => f.endsWith('.pem'));
    expect(rejected).toHaveLength(1);
    fs.renameSync(path.join(pki, 'rejected', rejected[0]!), path.join(pki, 'trusted', 'certs', rejected[0]!));

    const a = adapter(config);
    const sink = collectingSink();
    await a.start(sink);
    await waitFor('encrypted subscription and poll', () => sink.all.filter((r) => r.tag === 's.counter').length >= 3 && sink.all.some((r) => r.tag === 's.double'), 30_000);
    expect(sink.all.every((r) => r.quality === 'good')).toBe(true);
    expect(sink.all.find((r) => r.tag === 's.double')!.value).toBe(-1.5);

    fs.writeFileSync(path.join(tmp, 'password'), 'wrong\n');
    const denied = await adapter(config).readOnce();
    expect(denied[0]).toMatchObject({ quality: 'bad', reason: expect.stringMatching(/^disconnected: cannot open a session/) });
  });
});
