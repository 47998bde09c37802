import { describe, expect, it } from 'vitest';
import { ValidationError, parseSiteConfig, siteConfigSchema, siteTags } from '@dcmms/shared';

const device = (name: string, tags: string[], extra: Record<string, unknown> = {}) => ({
  protocol: 'modbus-tcp',
  name,
  host: '127.0.0.1',
  tags: tags.map((t, i) => ({ name: t, register: 'holding', address: i })),
  ...extra,
});

function problems(value: unknown): string[] {
  try {
    parseSiteConfig(value);
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('site config schema', () => {
  it('fills defaults for a minimal site', () => {
    const c = parseSiteConfig({ site: 'plant-01' });
    expect(c).toMatchObject({
      site: 'plant-01',
      devices: [],
      alarms: [],
      assets: [],
      buffer: { path: 'data/buffer.db', maxAgeMs: 86_400_000, maxBytes: 2 * 1024 ** 3, commitIntervalMs: 200, maxReadingsPerBatch: 10_000 },
      http: { enabled: true, host: '0.0.0.0', port: 9180 },
    });
    expect(c.uplink).toBeUndefined();
  });

  it('parses a full site with uplink, alarms and asset bindings', () => {
    const c = parseSiteConfig({
      site: 'plant-01',
      devices: [device('inv1', ['inv1.p', 'inv1.t', 'inv1.trip'], { asset: 'inverter-1' })],
      assets: [{ asset: 'inverter-1', tags: ['inv1.p'] }],
      alarms: [
        { id: 'inv1-temp', type: 'threshold', tag: 'inv1.t', hihi: { value: 90, severity: 'critical' }, hi: 80, deadband: 2, onDelayMs: 5000 },
        { id: 'inv1-trip', type: 'trip', tag: 'inv1.trip', severity: 'high' },
        { id: 'inv1-comm', type: 'comm_loss', device: 'inv1' },
        { id: 'inv1-stale', type: 'stale', tag: 'inv1.p', afterMs: 30_000 },
        { id: 'inv1-roc', type: 'rate_of_change', tag: 'inv1.p', maxPerSecond: 50 },
        { id: 'inv1-q', type: 'quality_bad', tag: 'inv1.p' },
      ],
      uplink: { url: 'mqtts://gw.example.com:8883', tls: { ca: '/etc/dcmms/ca.pem' }, password: { env: 'DCMMS_SITE_SECRET' } },
    });
    expect(c.alarms).toHaveLength(6);
    expect(c.alarms[0]).toMatchObject({ severity: 'medium', offDelayMs: 0, enabled: true });
    expect(c.uplink).toMatchObject({ persistentSession: true, liveInFlight: 16, reconnect: { initialMs: 1000, maxMs: 30_000 } });
    expect(siteTags(c).get('inv1.t')).toEqual({ name: 'inv1.t', device: 'inv1', asset: 'inverter-1', unit: undefined, writable: false });
  });

  it('reports every problem at once, each with its path', () => {
    expect(
      problems({
        site: 'Plant 01',
        devices: [device('inv1', ['inv1.p']), device('inv2', ['inv2.p'], { port: 70000 })],
        alarms: [
          { id: 'a', type: 'threshold', tag: 'nope', hi: 10, lo: 20 },
          { id: 'a', type: 'comm_loss', device: 'ghost' },
          { id: 'b', type: 'threshold', tag: 'inv1.p' },
          { id: 'c', type: 'bogus', tag: 'inv1.p' },
        ],
        buffer: { commitIntervalMs: 1000 },
        uplink: { url: 'http://example.com', tls: { cert: '/c.pem' } },
      }),
    ).toEqual([
      'site: expected 1-64 of a-z, 0-9 and inner "-"',
      'devices[1].port: Too big: expected number to be <=65535',
      'alarms[0].hi: expected hi above lo (20)',
      'alarms[2].hi: expected at least one of hihi, hi, lo, lolo',
      "alarms[3].type: Invalid discriminator value. Expected 'threshold' | 'rate_of_change' | 'stale' | 'comm_loss' | 'trip' | 'quality_bad'",
      'buffer.commitIntervalMs: Too big: expected number to be <=250',
      'uplink.url: expected an mqtt:// or mqtts:// URL',
      'uplink.tls.key: expected cert and key together',
      'uplink.tls: tls settings need an mqtts:// URL',
    ]);
  });

  it('checks references across sections once the sections themselves are valid', () => {
    expect(
      problems({
        site: 'plant-01',
        devices: [device('inv1', ['inv1.p', 'inv1.q'], { tags: [{ name: 'inv1.p', register: 'holding', address: 0, asset: 'x' }, { name: 'inv1.q', register: 'holding', address: 1 }] })],
        assets: [
          { asset: 'y', tags: ['inv1.p', 'inv1.missing'] },
          { asset: 'z', tags: ['inv1.q'] },
          { asset: 'w', tags: ['inv1.q'] },
        ],
        alarms: [
          { id: 'a', type: 'threshold', tag: 'nope', hi: 10 },
          { id: 'a', type: 'comm_loss', device: 'ghost' },
        ],
      }),
    ).toEqual([
      'alarms[0].tag: no tag named "nope" in devices',
      'alarms[1].id: duplicate alarm rule id, also alarms[0]',
      'alarms[1].device: no device named "ghost"',
      'assets[0].tags[0]: tag "inv1.p" is bound to asset "x" by its device config',
      'assets[0].tags[1]: no tag named "inv1.missing" in devices',
      'assets[2].tags[0]: tag "inv1.q" is already bound to asset "z"',
    ]);
  });

  it('keeps tls with an mqtts URL only, and accepts an uplink without credentials', () => {
    expect(problems({ site: 'plant-01', uplink: { url: 'mqtt://127.0.0.1:1883', tls: { ca: '/ca.pem' } } })).toEqual(['tls: tls settings need an mqtts:// URL'].map((m) => `uplink.${m}`));
    expect(problems({ site: 'plant-01', uplink: { url: 'mqtt://127.0.0.1:1883' } })).toEqual([]);
  });

  it('is the body schema the cloud validates with: pure data in, pure data out', () => {
    const input = { site: 'plant-01', devices: [device('m', ['m.a'])], alarms: [{ id: 'r', type: 'quality_bad', tag: 'm.a' }] };
    const once = siteConfigSchema.parse(input);
    // Parsing the output again is a fixed point (defaults do not drift between cloud and edge).
    expect(siteConfigSchema.parse(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });
});
