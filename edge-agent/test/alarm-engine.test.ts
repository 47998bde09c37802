import { describe, expect, it } from 'vitest';
import { parseSiteConfig, siteTags } from '@dcmms/shared';
import type { AlarmRuleInput, AlertAction, Reading } from '@dcmms/shared';
import { AlarmEngine } from '../src/alarms/engine.js';

const T0 = 1_700_000_000_000;

function engineFor(alarms: AlarmRuleInput[], now = T0) {
  const config = parseSiteConfig({
    site: 'plant-01',
    devices: [
      {
        protocol: 'modbus-tcp',
        name: 'inv1',
        host: '127.0.0.1',
        asset: 'inverter-1',
        tags: [
          { name: 'inv1.temp', register: 'holding', address: 0 },
          { name: 'inv1.power', register: 'holding', address: 1 },
          { name: 'inv1.trip', register: 'coil', address: 0, type: 'bool' },
        ],
      },
    ],
    alarms,
  });
  return new AlarmEngine({ site: config.site, rules: config.alarms, tags: siteTags(config), now });
}

const r = (tag: string, ts: number, value: Reading['value'], quality: Reading['quality'] = 'good'): Reading => ({ tag, ts, value, quality });
const kinds = (out: { events: { kind: string; alertId: string }[] }) => out.events.map((e) => `${e.alertId} ${e.kind}`);

describe('threshold alarms', () => {
  it('raises per limit with hysteresis, carrying severity, asset, value and message', () => {
    const e = engineFor([{ id: 'temp', type: 'threshold', tag: 'inv1.temp', hihi: { value: 90, severity: 'critical' }, hi: 80, deadband: 5, severity: 'high', message: 'inverter hot' }]);
    expect(kinds(e.onReadings([r('inv1.temp', T0, 79.9)], T0))).toEqual([]);
    const raised = e.onReadings([r('inv1.temp', T0 + 1000, 80)], T0);
    expect(raised.events).toEqual([
      expect.objectContaining({ site: 'plant-01', alertId: 'temp:hi', ruleId: 'temp', occurrence: 1, kind: 'raised', state: 'unacked_active', severity: 'high', tag: 'inv1.temp', asset: 'inverter-1', value: 80, ts: T0 + 1000, message: 'inverter hot (HI inv1.temp: 80 >= 80)' }),
    ]);
    expect(kinds(e.onReadings([r('inv1.temp', T0 + 2000, 91)], T0))).toEqual(['temp:hihi raised']);
    expect(e.onReadings([r('inv1.temp', T0 + 2000, 91)], T0).events).toEqual([]);
    // Inside the deadband: both stay active.
    expect(kinds(e.onReadings([r('inv1.temp', T0 + 3000, 76)], T0))).toEqual(['temp:hihi cleared']);
    expect(kinds(e.onReadings([r('inv1.temp', T0 + 4000, 75.5)], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.temp', T0 + 5000, 74.9)], T0))).toEqual(['temp:hi cleared']);
    expect(e.lifecycleOf('temp:hi')).toMatchObject({ state: 'unacked_rtn', occurrence: 1 });
    expect(e.onReadings([r('inv1.temp', T0 + 5000, 74.9)], T0).events.find((x) => x.severity === 'critical')).toBeUndefined();
  });

  it('honours on and off delays, measured on source timestamps', () => {
    const e = engineFor([{ id: 'low', type: 'threshold', tag: 'inv1.power', lo: 10, onDelayMs: 3000, offDelayMs: 2000 }]);
    expect(kinds(e.onReadings([r('inv1.power', T0, 5)], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 2000, 5)], T0))).toEqual([]);
    // A blip back to normal restarts the on delay.
    expect(kinds(e.onReadings([r('inv1.power', T0 + 2500, 50)], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 3000, 5)], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 5999, 5)], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 6000, 5)], T0))).toEqual(['low:lo raised']);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 7000, 50)], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 9000, 50)], T0))).toEqual(['low:lo cleared']);
  });

  it('ignores bad, non-numeric and non-finite readings', () => {
    const e = engineFor([{ id: 'temp', type: 'threshold', tag: 'inv1.temp', hi: 80 }]);
    expect(kinds(e.onReadings([r('inv1.temp', T0, null, 'bad'), r('inv1.temp', T0, Number.NaN), r('inv1.temp', T0, 'hot'), r('inv1.temp', T0, 99, 'bad')], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.temp', T0, Number.POSITIVE_INFINITY, 'uncertain')], T0))).toEqual([]);
  });
});

describe('other conditions', () => {
  it('rate of change between consecutive readings', () => {
    const e = engineFor([{ id: 'ramp', type: 'rate_of_change', tag: 'inv1.power', maxPerSecond: 10 }]);
    expect(kinds(e.onReadings([r('inv1.power', T0, 100), r('inv1.power', T0 + 1000, 105)], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 2000, 130)], T0))).toEqual(['ramp raised']);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 4000, 140)], T0))).toEqual(['ramp cleared']);
  });

  it('stale data after N seconds without a usable reading, on the clock', () => {
    const e = engineFor([{ id: 'stale', type: 'stale', tag: 'inv1.power', afterMs: 10_000 }]);
    expect(kinds(e.tick(T0 + 9_999))).toEqual([]);
    expect(kinds(e.tick(T0 + 10_000))).toEqual(['stale raised']);
    // Bad readings are not data.
    expect(kinds(e.onReadings([r('inv1.power', T0 + 10_500, null, 'bad')], T0 + 11_000))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.power', T0 + 11_000, 3)], T0 + 12_000))).toEqual(['stale cleared']);
    expect(kinds(e.tick(T0 + 21_999))).toEqual([]);
    expect(kinds(e.tick(T0 + 22_000))).toEqual(['stale raised']);
  });

  it('device communication loss after a grace period, cleared on reconnect', () => {
    const e = engineFor([{ id: 'comm', type: 'comm_loss', device: 'inv1', afterMs: 5000 }]);
    expect(kinds(e.onDeviceState({ device: 'inv1', state: 'connected', ts: T0 + 100 }))).toEqual([]);
    expect(kinds(e.onDeviceState({ device: 'inv1', state: 'disconnected', ts: T0 + 1000, reason: 'ECONNRESET' }))).toEqual([]);
    expect(kinds(e.tick(T0 + 5999))).toEqual([]);
    const out = e.tick(T0 + 6000);
    expect(kinds(out)).toEqual(['comm raised']);
    expect(out.events[0]!.message).toContain('ECONNRESET');
    expect(kinds(e.onDeviceState({ device: 'inv1', state: 'connecting', ts: T0 + 7000 }))).toEqual([]);
    expect(kinds(e.onDeviceState({ device: 'inv1', state: 'connected', ts: T0 + 8000 }))).toEqual(['comm cleared']);
    // A device that never connects counts from the engine's start.
    const fresh = engineFor([{ id: 'comm', type: 'comm_loss', device: 'inv1', afterMs: 5000 }]);
    expect(kinds(fresh.tick(T0 + 5000))).toEqual(['comm raised']);
  });

  it('trip bits and bad quality', () => {
    const e = engineFor([
      { id: 'trip', type: 'trip', tag: 'inv1.trip', severity: 'critical' },
      { id: 'q', type: 'quality_bad', tag: 'inv1.power', onDelayMs: 1000 },
    ]);
    expect(kinds(e.onReadings([r('inv1.trip', T0, false), r('inv1.trip', T0 + 1, true)], T0))).toEqual(['trip raised']);
    expect(kinds(e.onReadings([r('inv1.trip', T0 + 2, null, 'bad')], T0))).toEqual([]);
    expect(kinds(e.onReadings([r('inv1.trip', T0 + 3, 0)], T0))).toEqual(['trip cleared']);
    expect(kinds(e.onReadings([r('inv1.power', T0, null, 'bad'), r('inv1.power', T0 + 999, null, 'bad')], T0))).toEqual([]);
    const out = e.onReadings([{ ...r('inv1.power', T0 + 1000, null, 'bad'), reason: 'timeout' }], T0);
    expect(kinds(out)).toEqual(['q raised']);
    expect(out.events[0]!.message).toBe('inv1.power quality bad (timeout)');
  });
});

describe('operator actions from the cloud', () => {
  const action = (over: Partial<AlertAction>): AlertAction => ({ site: 'plant-01', alertId: 'trip', occurrence: 1, action: 'acknowledge', actor: 'alice', ts: T0, ...over });

  it('applies an ack of the current occurrence, ignores an old one for a new occurrence', () => {
    const e = engineFor([{ id: 'trip', type: 'trip', tag: 'inv1.trip' }]);
    e.onReadings([r('inv1.trip', T0, true)], T0);
    e.onReadings([r('inv1.trip', T0 + 1, false)], T0);
    e.onReadings([r('inv1.trip', T0 + 2, true)], T0);
    expect(e.lifecycleOf('trip')).toMatchObject({ state: 'unacked_active', occurrence: 2 });
    const old = e.applyAction(action({ occurrence: 1 }), T0 + 10);
    expect(old.outcome).toBe('stale');
    expect(old.output.events).toEqual([]);
    expect(e.lifecycleOf('trip')!.state).toBe('unacked_active');
    const current = e.applyAction(action({ occurrence: 2, comment: 'seen' }), T0 + 20);
    expect(current.outcome).toBe('applied');
    expect(current.output.events).toEqual([expect.objectContaining({ kind: 'acknowledged', state: 'acked_active', occurrence: 2, actor: 'alice', comment: 'seen', ts: T0 + 20 })]);
  });

  it('keeps an ack for an occurrence not reached yet and applies it when it is', () => {
    const e = engineFor([{ id: 'trip', type: 'trip', tag: 'inv1.trip' }]);
    const early = e.applyAction(action({ occurrence: 1 }), T0);
    expect(early.outcome).toBe('future');
    expect(early.output.pendingSet).toHaveLength(1);
    expect(e.pendingActions()).toHaveLength(1);
    const out = e.onReadings([r('inv1.trip', T0 + 5, true)], T0 + 5);
    expect(kinds(out)).toEqual(['trip raised', 'trip acknowledged']);
    expect(out.pendingCleared).toEqual(['trip']);
    expect(e.lifecycleOf('trip')!.state).toBe('acked_active');
    expect(e.pendingActions()).toEqual([]);
  });

  it('drops a kept ack once a later occurrence passed it', () => {
    const e = engineFor([{ id: 'trip', type: 'trip', tag: 'inv1.trip' }]);
    e.onReadings([r('inv1.trip', T0, true)], T0);
    e.applyAction(action({ occurrence: 2 }), T0);
    e.onReadings([r('inv1.trip', T0 + 1, false)], T0);
    // Someone took the restored point to occurrence 3 before the ack for 2 could apply.
    const restored = new AlarmEngine({
      site: 'plant-01',
      rules: parseSiteConfig({ site: 'plant-01', devices: [{ protocol: 'modbus-tcp', name: 'inv1', host: 'h', tags: [{ name: 'inv1.trip', register: 'coil', address: 0, type: 'bool' }] }], alarms: [{ id: 'trip', type: 'trip', tag: 'inv1.trip' }] }).alarms,
      tags: new Map(),
      now: T0,
      restored: new Map([['trip', { state: 'unacked_rtn', occurrence: 2, active: false, shelvedUntil: null }]]),
      pending: [action({ occurrence: 3 })],
    });
    expect(restored.applyAction(action({ occurrence: 4 }), T0).outcome).toBe('future');
    const out = restored.onReadings([r('inv1.trip', T0 + 2, true)], T0);
    expect(out.events.map((x) => `${x.kind} ${x.occurrence}`)).toEqual(['raised 3']);
    // The ack for 4 is kept; the one for 3 was replaced by it and never acknowledges 3.
    expect(restored.lifecycleOf('trip')).toMatchObject({ state: 'unacked_active', occurrence: 3 });
    expect(restored.pendingActions().map((a) => a.occurrence)).toEqual([4]);
  });

  it('shelves until expiry, then re-annunciates a still-active condition', () => {
    const e = engineFor([{ id: 'trip', type: 'trip', tag: 'inv1.trip' }]);
    e.onReadings([r('inv1.trip', T0, true)], T0);
    const shelved = e.applyAction(action({ action: 'shelve', shelvedUntil: T0 + 60_000 }), T0 + 1000);
    expect(shelved.output.events).toEqual([expect.objectContaining({ kind: 'shelved', state: 'shelved', shelvedUntil: T0 + 60_000 })]);
    expect(kinds(e.onReadings([r('inv1.trip', T0 + 2000, false), r('inv1.trip', T0 + 3000, true)], T0))).toEqual([]);
    expect(kinds(e.tick(T0 + 59_999))).toEqual([]);
    const expired = e.tick(T0 + 60_000);
    expect(expired.events.map((x) => `${x.kind} ${x.state} ${x.occurrence}`)).toEqual(['unshelved normal 1', 'raised unacked_active 2']);
    expect(expired.events[0]).toMatchObject({ actor: 'edge', comment: 'shelve expired' });
  });

  it('refuses actions on unknown alarms', () => {
    const e = engineFor([]);
    expect(e.applyAction(action({}), T0).outcome).toBe('unknown');
  });
});

describe('config changes and restarts', () => {
  it('keeps the lifecycle of points that stay and takes removed active ones out of service', () => {
    const e = engineFor([
      { id: 'trip', type: 'trip', tag: 'inv1.trip' },
      { id: 'temp', type: 'threshold', tag: 'inv1.temp', hi: 80 },
    ]);
    e.onReadings([r('inv1.trip', T0, true), r('inv1.temp', T0, 85)], T0);
    const next = parseSiteConfig({
      site: 'plant-01',
      devices: [{ protocol: 'modbus-tcp', name: 'inv1', host: 'h', tags: [{ name: 'inv1.trip', register: 'coil', address: 0, type: 'bool' }] }],
      alarms: [{ id: 'trip', type: 'trip', tag: 'inv1.trip' }],
    });
    const out = e.reconfigure(next.alarms, siteTags(next), T0 + 10);
    expect(kinds(out)).toEqual(['temp:hi removed_from_service']);
    expect(out.removedPoints).toEqual(['temp:hi']);
    expect(e.lifecycleOf('trip')).toMatchObject({ state: 'unacked_active', occurrence: 1 });
    // The kept point's condition state carried over: the same reading raises nothing new.
    expect(kinds(e.onReadings([r('inv1.trip', T0 + 20, true)], T0))).toEqual([]);
  });

  it('resumes from a restored lifecycle without re-raising', () => {
    const config = parseSiteConfig({
      site: 'plant-01',
      devices: [{ protocol: 'modbus-tcp', name: 'inv1', host: 'h', tags: [{ name: 'inv1.trip', register: 'coil', address: 0, type: 'bool' }] }],
      alarms: [{ id: 'trip', type: 'trip', tag: 'inv1.trip' }],
    });
    const e = new AlarmEngine({
      site: 'plant-01',
      rules: config.alarms,
      tags: siteTags(config),
      now: T0,
      restored: new Map([['trip', { state: 'acked_active', occurrence: 7, active: true, shelvedUntil: null }]]),
    });
    expect(kinds(e.onReadings([r('inv1.trip', T0, true)], T0))).toEqual([]);
    expect(e.onReadings([r('inv1.trip', T0 + 1, false)], T0).events.map((x) => `${x.kind} ${x.state} ${x.occurrence}`)).toEqual(['cleared normal 7']);
  });
});
