import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSiteConfigBody } from '@dcmms/cloud';
import { expectedValue, getProfile } from '@dcmms/protocol-adapters';
import { parseSiteConfig, siteTags } from '@dcmms/shared';
import { DEMO_ALARM_ASSET_KEY, demoAssetTree, EXAMPLE_ASSET_KEY } from './assets.js';
import { demoEdgeSiteFile } from './edge.js';
import { DEMO_ALARM, DEMO_DEVICES, demoAlarmRules, demoSiteConfigBody, demoTagNames } from './plant.js';

const endpoints = Object.fromEntries(DEMO_DEVICES.map((d, i) => [d.name, { host: '127.0.0.1', port: 15020 + i, ...(d.protocol === 'opcua' ? { endpoint: `opc.tcp://127.0.0.1:${15020 + i}/UA/dcmms` } : {}) }]));
const timing = { pollIntervalMs: 1000, alarmDelayMs: 20_000 };

describe('the demo plant', () => {
  it('is a site config both the cloud and the edge accept, about 200 tags, every alarm on one of them', () => {
    const body = demoSiteConfigBody('demo-plant', endpoints, timing);
    expect(validateSiteConfigBody('demo-plant', body)).toBe(body);
    const config = parseSiteConfig(body);
    const tags = siteTags(config);
    expect(tags.size).toBe(180);
    expect(demoTagNames()).toEqual([...tags.keys()]);
    expect(config.devices.map((d) => [d.name, d.protocol])).toEqual([['inv1', 'modbus-tcp'], ['inv2', 'modbus-tcp'], ['meter', 'modbus-tcp'], ['wt1', 'opcua']]);
    expect(config.alarms.length).toBe(demoAlarmRules(timing).length);
    expect(config.alarms.find((a) => a.id === DEMO_ALARM.ruleId)).toMatchObject({ type: 'threshold', tag: DEMO_ALARM.tag, onDelayMs: 20_000 });
  });

  it("the edge's own file is valid and holds no devices (they come from the cloud)", () => {
    const config = parseSiteConfig(demoEdgeSiteFile({ siteId: 'demo-plant', mqttUrl: 'mqtt://127.0.0.1:11883', httpPort: 9180 }));
    expect(config.devices).toEqual([]);
    expect(config.uplink?.password).toEqual({ file: 'site-secret' });
  });

  it('the demo alarm fires at any time of any day: the simulated gearbox oil never reads at or below the limit (minus the deadband)', () => {
    const profile = getProfile('wind-turbine');
    const seed = DEMO_DEVICES.find((d) => d.name === 'wt1')!.seed;
    const rule = demoAlarmRules(timing).find((r) => r.id === DEMO_ALARM.ruleId) as { deadband: number };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 42 }), (t) => {
        const v = expectedValue(profile, 'gearbox_oil_temperature', seed, t) as number;
        return v >= DEMO_ALARM.limit && v > DEMO_ALARM.limit - rule.deadband;
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('the demo asset tree', () => {
  const tree = demoAssetTree();

  it('binds every tag of the site to exactly one asset', () => {
    const bound = tree.flatMap((a) => a.tags);
    expect(new Set(bound).size).toBe(bound.length);
    expect([...bound].sort()).toEqual(demoTagNames().sort());
  });

  it('is site -> device assets -> components, parents first, unique keys', () => {
    const keys = new Set<string>();
    for (const a of tree) {
      if (a.parentKey !== null) expect(keys.has(a.parentKey)).toBe(true);
      expect(keys.has(a.key)).toBe(false);
      keys.add(a.key);
    }
    expect(tree.filter((a) => a.parentKey === null).map((a) => a.key)).toEqual(DEMO_DEVICES.map((d) => d.name));
    expect(tree.filter((a) => a.parentKey !== null).every((a) => tree.find((p) => p.key === a.parentKey)!.parentKey === null)).toBe(true);
    expect(tree.find((a) => a.key === DEMO_ALARM_ASSET_KEY)!.tags).toContain(DEMO_ALARM.tag);
    expect(tree.find((a) => a.key === EXAMPLE_ASSET_KEY)!.tags.length).toBeGreaterThan(10);
  });
});
