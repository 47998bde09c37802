import { describe, expect, it } from 'vitest';
import { encodeGapRecord, encodeTelemetryBatch, type AlertEvent } from '@dcmms/shared';
import { backoffDelay } from '../src/ingest/backoff.js';
import { decodeRecord } from '../src/ingest/consumer.js';
import { createGroupFlusher } from '../src/ingest/flusher.js';
import { HEADERS } from '../src/ingest/records.js';
import { decodeUplink } from '../src/ingest/uplink.js';
import { isPermanentFailure, UplinkError } from '../src/ingest/errors.js';
import { DcmmsError } from '@dcmms/shared';
import { plantBatches } from './support/plant.js';

const event: AlertEvent = {
  site: 's1', alertId: 'a', occurrence: 1, eventSeq: 3, ts: 1000, kind: 'raised', state: 'unacked_active', severity: 'low', ruleId: 'r', message: 'm',
};

describe('decodeUplink', () => {
  it('takes one alert event or an array of them, and refuses an empty array or a forged site', () => {
    expect(decodeUplink('alerts', 's1', Buffer.from(JSON.stringify(event)))).toEqual({ kind: 'alerts', events: [event] });
    expect(decodeUplink('alerts', 's1', Buffer.from(JSON.stringify([event, { ...event, eventSeq: 4 }])))).toMatchObject({ kind: 'alerts', events: [{ eventSeq: 3 }, { eventSeq: 4 }] });
    expect(() => decodeUplink('alerts', 's1', Buffer.from('[]'))).toThrow(UplinkError);
    expect(() => decodeUplink('alerts', 's2', Buffer.from(JSON.stringify(event)))).toThrow(/names site "s1" but came from site "s2"/);
  });

  it('tells command results from config results', () => {
    const cmd = { commandId: '5b0b6b8e-4a36-4bd5-9f4f-8d5b1b7f2e11', site: 's1', status: 'succeeded', ts: 1 };
    const cfg = { site: 's1', version: 2, status: 'rejected', reason: 'devices[0].host: required', ts: 1 };
    expect(decodeUplink('results', 's1', Buffer.from(JSON.stringify(cmd))).kind).toBe('command-result');
    expect(decodeUplink('results', 's1', Buffer.from(JSON.stringify(cfg))).kind).toBe('config-result');
  });

  it('decodes telemetry batches and gap records with the shared codec', () => {
    const batch = plantBatches('s1', { batches: 1, tags: 3 })[0]!;
    expect(decodeUplink('telemetry', 's1', encodeTelemetryBatch(batch))).toEqual({ kind: 'batch', batch });
    const gap = { site: 's1', what: 'telemetry' as const, reason: 'overload' as const, seqFrom: null, seqTo: null, fromTs: 1, toTs: 2, batches: 0, readings: 9, detectedAt: 3 };
    expect(decodeUplink('telemetry', 's1', encodeGapRecord(gap))).toEqual({ kind: 'gap', gap });
    expect(() => decodeUplink('telemetry', 's1', Buffer.from([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'DCMMS_UPLINK_UNDECODABLE' }));
  });
});

describe('decodeRecord (worker side)', () => {
  it('turns a record into the accepted message with the gateway\'s receive time, or a dead letter with the offset', () => {
    const batch = plantBatches('s1', { batches: 1, tags: 2 })[0]!;
    const ok = decodeRecord('telemetry.raw', { offset: '7', key: 's1', value: encodeTelemetryBatch(batch), headers: { [HEADERS.receivedAt]: '123' }, timestamp: 999 });
    expect(ok).toMatchObject({ accepted: { site: 's1', channel: 'telemetry', receivedAt: 123, uplink: { kind: 'batch' } } });
    const noHeader = decodeRecord('telemetry.raw', { offset: '8', key: 's1', value: encodeTelemetryBatch(batch), headers: {}, timestamp: 999 });
    expect(noHeader).toMatchObject({ accepted: { receivedAt: 999 } });
    const bad = decodeRecord('telemetry.raw', { offset: '9', key: 's2', value: encodeTelemetryBatch(batch), headers: {}, timestamp: 999 });
    expect(bad).toMatchObject({ deadLetter: { site: 's2', code: 'DCMMS_UPLINK_SITE_MISMATCH' } });
    expect('deadLetter' in bad && bad.deadLetter.reason).toMatch(/^telemetry\.raw@9: /);
    expect(decodeRecord('telemetry.raw', { offset: '10', key: null, value: null, headers: {}, timestamp: 1 })).toMatchObject({ deadLetter: { code: 'DCMMS_UPLINK_INVALID' } });
  });
});

describe('group flusher', () => {
  const member = (items: number[], active = () => true) => ({ items, isActive: active, heartbeat: async () => undefined });

  it('writes what arrives together as one group, and what arrives during a flush as the next', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const firstHeld = new Promise<void>((r) => (release = r));
    const f = createGroupFlusher<number>({
      maxWeight: 100, weight: () => 1,
      flush: async (items) => {
        groups.push([...items]);
        if (groups.length === 1) await firstHeld;
      },
    });
    const a = f.submit(member([1, 2]));
    const b = f.submit(member([3]));
    await new Promise((r) => setImmediate(r));
    const c = f.submit(member([4]));
    const d = f.submit(member([5]));
    release();
    expect(await Promise.all([a, b, c, d])).toEqual([true, true, true, true]);
    expect(groups).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('retries a failed group with the same items, and drops members that are no longer ours', async () => {
    const calls: number[][] = [];
    let activeB = true;
    const f = createGroupFlusher<number>({
      maxWeight: 100, weight: () => 1, backoff: { baseMs: 1, maxMs: 5 },
      flush: async (items) => {
        calls.push([...items]);
        if (calls.length === 2) activeB = false;
        if (calls.length < 4) throw new Error('store down');
      },
    });
    const results = await Promise.all([f.submit(member([1])), f.submit(member([2], () => activeB))]);
    expect(results).toEqual([true, false]);
    expect(calls).toEqual([[1, 2], [1, 2], [1], [1]]);
  });

  it('on stop, waiting members resolve false (their offsets are not committed)', async () => {
    const f = createGroupFlusher<number>({ maxWeight: 100, weight: () => 1, backoff: { baseMs: 1000, maxMs: 1000 }, flush: async () => { throw new Error('down'); } });
    const p = f.submit(member([1]));
    await new Promise((r) => setTimeout(r, 20));
    f.stop();
    expect(await p).toBe(false);
  });
});

describe('failure classes and backoff', () => {
  it('treats typed refusals as permanent, unavailability and foreign errors as transient', () => {
    expect(isPermanentFailure(new DcmmsError('DCMMS_REGISTRY_SITE_UNKNOWN', 'x'))).toBe(true);
    expect(isPermanentFailure(new DcmmsError('DCMMS_TELEMETRY_STORE_UNAVAILABLE', 'x'))).toBe(false);
    expect(isPermanentFailure(new Error('ECONNREFUSED'))).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error('invalid byte sequence'), { code: '22021' }))).toBe(true);
    expect(isPermanentFailure(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(true);
    expect(isPermanentFailure(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_CHECK' }))).toBe(true);
    expect(isPermanentFailure(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(false);
  });

  it('grows exponentially with jitter and stays under the cap', () => {
    expect(backoffDelay(0, { baseMs: 100, maxMs: 1000 }, () => 0)).toBe(50);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000 }, () => 1)).toBe(800);
    expect(backoffDelay(30, { baseMs: 100, maxMs: 1000 }, () => 1)).toBe(1000);
  });
});
