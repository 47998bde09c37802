import { expect } from 'vitest';
import { demoAssetTree, EXAMPLE_ASSET_KEY } from './assets.js';
import { DEMO_ALARM, demoTagNames } from './plant.js';
import type { DemoHandle } from './run.js';
import { login, waitFor, type ApiClient } from './test-api.js';
import { DEMO_WORK_ORDERS } from './work-orders.js';

/**
 * What a newcomer sees through the API after `npm start`, shared by the embedded test
 * (npm test) and the engines test (npm run test:engines): the same checks on both stacks.
 */
interface Page<T> {
  readonly items: T[];
}
interface Alert {
  readonly id: string;
  readonly alertKey: string;
  readonly occurrence: number;
  readonly state: string;
  readonly severity: string;
  readonly assetId: string | null;
  readonly workOrderId: string | null;
}
interface WorkOrder {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly version: number;
  readonly type: string;
  readonly assetId: string | null;
  readonly resolution: string | null;
}
interface Latest {
  readonly values: Array<{ tag: string; ts: number; quality: string; value: number | null; text: string | null }>;
}

export interface FirstStartFacts {
  readonly username: string;
  readonly password: string;
  readonly alertId: string;
  readonly workOrders: number;
  readonly assets: number;
  readonly configVersion: number;
}

const siteUrl = (demo: DemoHandle) => `/sites/${demo.summary.siteId}`;

async function siteOnlineAndInSync(client: ApiClient, demo: DemoHandle, timeoutMs: number): Promise<number> {
  return waitFor(
    'the site online with its config applied',
    async () => {
      const status = await client.get<{ state: string; appliedConfigVersion: number | null }>(`${siteUrl(demo)}/status`);
      const config = await client.get<{ desired: { version: number } | null; appliedVersion: number | null; inSync: boolean }>(`${siteUrl(demo)}/config`);
      return status.state === 'online' && config.inSync && config.desired !== null && status.appliedConfigVersion === config.desired.version ? config.desired.version : null;
    },
    timeoutMs,
    250,
  );
}

/** Waits until every demo tag has a good reading newer than `since`; returns the values. */
async function everyTagFresh(client: ApiClient, demo: DemoHandle, since: number, timeoutMs: number): Promise<Latest['values']> {
  const tags = demoTagNames();
  let missing: string[] = tags;
  try {
    return await waitFor(
      `a good reading newer than ${new Date(since).toISOString()} for each of the ${tags.length} demo tags`,
      async () => {
        const latest = await client.get<Latest>(`${siteUrl(demo)}/telemetry/latest`);
        const byTag = new Map(latest.values.map((v) => [v.tag, v]));
        // Subscribed OPC-UA values that never change (setpoints, ids) are reported once, at subscription.
        missing = tags.filter((t) => {
          const v = byTag.get(t);
          return v === undefined || v.quality !== 'good' || v.ts < since - 60_000;
        });
        const anyFresh = latest.values.some((v) => v.ts >= since);
        return missing.length === 0 && anyFresh ? latest.values : null;
      },
      timeoutMs,
      500,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; missing or not good: ${missing.slice(0, 20).join(', ')}`);
  }
}

export async function exerciseFirstStart(demo: DemoHandle, timeoutMs = 60_000): Promise<FirstStartFacts> {
  const { summary } = demo;
  expect(summary.login.passwordSource).toBe('generated');
  expect(summary.login.password).toMatch(/^[\w-]{16,}$/);
  expect(summary.seeded.length).toBeGreaterThan(0);
  const password = summary.login.password!;
  const client = await login(summary.apiUrl, summary.login.username, password);
  const startedAt = Date.now();

  // The site, online, running the config version the cloud pushed down.
  const configVersion = await siteOnlineAndInSync(client, demo, timeoutMs);

  // Readings for every demo tag, and the example asset's latest values (its tags only).
  const values = await everyTagFresh(client, demo, startedAt, timeoutMs);
  expect(values.length).toBe(demoTagNames().length);
  const turbine = await client.get<Latest & { assetId: string }>(`/assets/${summary.exampleAsset.id}/telemetry/latest`);
  const turbineSpec = demoAssetTree().find((a) => a.key === EXAMPLE_ASSET_KEY)!;
  expect(turbine.values.map((v) => v.tag).sort()).toEqual([...turbineSpec.tags].sort());

  // The asset tree: every spec'd asset, the demo alarm's tag bound to the gearbox.
  const assets = await client.get<Page<{ id: string; name: string; kind: string; parentId: string | null }>>(`/assets?siteId=${summary.siteId}&limit=200`);
  expect(assets.items.length).toBe(demoAssetTree().length);
  const gearbox = assets.items.find((a) => a.kind === 'gearbox')!;
  expect(gearbox.parentId).toBe(summary.exampleAsset.id);

  // The demo alarm: raised by the edge after its on-delay, critical, on the gearbox, with a work order opened by the rule.
  const alert = await waitFor(
    `alert ${DEMO_ALARM.alertKey} with its work order`,
    async () => (await client.get<Page<Alert>>(`/alerts?siteId=${summary.siteId}&active=true`)).items.find((a) => a.alertKey === DEMO_ALARM.alertKey && a.workOrderId !== null),
    timeoutMs,
    250,
  );
  expect(alert).toMatchObject({ severity: 'critical', state: 'unacked_active', assetId: gearbox.id, occurrence: 1 });

  // Acknowledged in the cloud: the state changes at once, and the ack reaches the edge, which reports it back.
  const acked = await client.post<{ alert: Alert; delivered: boolean }>(`/alerts/${alert.id}/acknowledge`, { comment: 'seen by the e2e test' });
  expect(acked).toMatchObject({ delivered: true, alert: { state: 'acked_active' } });
  await waitFor('the ack applied by the edge agent', () => demo.agent.engine().snapshot().find((p) => p.alertId === DEMO_ALARM.alertKey)?.state === 'acked_active', timeoutMs);
  await waitFor(
    'the edge\'s "acknowledged" event in the alert history',
    async () => (await client.get<Page<{ kind: string; source: string }>>(`/alerts/${alert.id}/events`)).items.some((e) => e.kind === 'acknowledged' && e.source === 'edge'),
    timeoutMs,
    250,
  );
  expect((await client.get<Alert>(`/alerts/${alert.id}`)).state).toBe('acked_active');

  // Work orders: the seeded ones in their states, and the alarm's one taken through its life.
  const wos = (await client.get<Page<WorkOrder>>(`/workorders?siteId=${summary.siteId}&limit=100`)).items;
  const stateOf = (title: string) => wos.find((w) => w.title === title)?.state;
  expect(DEMO_WORK_ORDERS.map((s) => stateOf(s.title))).toEqual(['draft', 'open', 'in_progress', 'closed']);
  let wo = await client.get<WorkOrder>(`/workorders/${alert.workOrderId}`);
  expect(wo).toMatchObject({ state: 'open', type: 'corrective', assetId: gearbox.id });
  const me = await client.get<{ id: string }>('/auth/me');
  for (const [name, to] of [['assign', 'assigned'], ['start', 'in_progress'], ['complete', 'completed'], ['close', 'closed']] as const) {
    wo = await client.post<WorkOrder>(`/workorders/${wo.id}/transitions/${name}`, { version: wo.version, ...(name === 'assign' ? { assigneeId: me.id } : {}) });
    expect(wo.state).toBe(to);
  }
  expect(wo.resolution).toBe('done');
  const history = await client.get<Page<{ kind: string; toState: string | null }>>(`/workorders/${wo.id}/history`);
  expect(history.items.map((e) => e.toState).filter(Boolean)).toEqual(expect.arrayContaining(['assigned', 'in_progress', 'completed', 'closed']));

  return { username: summary.login.username, password, alertId: alert.id, workOrders: wos.length, assets: assets.items.length, configVersion };
}

/** A second start on the same data: nothing seeded again, the same login, data flowing again. */
export async function exerciseRestart(demo: DemoHandle, first: FirstStartFacts, timeoutMs = 60_000): Promise<void> {
  const { summary } = demo;
  // Nothing seeded again, except a new config version when a simulator's port of the last run
  // was taken in between (by a test running beside this one) and the device moved.
  const moved = summary.seeded.length === 1 && /^site config version \d+ stored$/.test(summary.seeded[0]!);
  if (!moved) expect(summary.seeded).toEqual([]);
  const configVersion = first.configVersion + (moved ? 1 : 0);
  expect(summary.login).toEqual({ username: first.username, password: null, passwordSource: 'first-start' });
  const client = await login(summary.apiUrl, first.username, first.password);
  const restartedAt = Date.now();
  expect(await siteOnlineAndInSync(client, demo, timeoutMs)).toBe(configVersion);
  await everyTagFresh(client, demo, restartedAt, timeoutMs);

  expect((await client.get<Page<unknown>>(`/assets?siteId=${summary.siteId}&limit=200`)).items.length).toBe(first.assets);
  expect((await client.get<Page<unknown>>(`/workorders?siteId=${summary.siteId}&limit=100`)).items.length).toBe(first.workOrders);
  expect((await client.get<Page<unknown>>(`${siteUrl(demo)}/credentials`)).items.length).toBe(1);
  expect((await client.get<Page<unknown>>(`${siteUrl(demo)}/config/versions`)).items.length).toBe(configVersion);
  // The alarm is still the acknowledged occurrence the edge kept across the restart.
  const alerts = (await client.get<Page<Alert>>(`/alerts?siteId=${summary.siteId}`)).items.filter((a) => a.alertKey === DEMO_ALARM.alertKey);
  expect(alerts.map((a) => [a.id, a.occurrence, a.state])).toEqual([[first.alertId, 1, 'acked_active']]);
  expect(demo.agent.engine().snapshot().find((p) => p.alertId === DEMO_ALARM.alertKey)?.state).toBe('acked_active');
}
