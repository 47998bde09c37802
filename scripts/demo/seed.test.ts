import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry, migrateToLatest, openRegistryDatabase, verifyPassword, type Registry, type RegistryDatabase } from '@dcmms/cloud';
import { demoAssetTree } from './assets.js';
import { DEMO_DEVICES, demoSiteConfigBody } from './plant.js';
import { seedDemo, type SeedInput } from './seed.js';
import { DEMO_WORK_ORDERS } from './work-orders.js';

const endpoints = (base: number) => Object.fromEntries(DEMO_DEVICES.map((d, i) => [d.name, { host: '127.0.0.1', port: base + i }]));
const timing = { pollIntervalMs: 1000, alarmDelayMs: 20_000 };

/** The seeding against a real (SQLite) registry: once, then again and again without duplicates. */
describe('seeding the demo registry', () => {
  let dir: string;
  let database: RegistryDatabase;
  let registry: Registry;
  let input: SeedInput;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-seed-'));
    database = openRegistryDatabase(`sqlite:${join(dir, 'registry.db')}`);
    await migrateToLatest(database);
    registry = createRegistry(database);
    input = { siteId: 'demo-plant', username: 'admin', password: undefined, secretFile: join(dir, 'site-secret'), configBody: demoSiteConfigBody('demo-plant', endpoints(15020), timing) };
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const counts = async (tenantId: string) => {
    const scope = { tenantId, sites: null };
    return {
      users: await registry.users.count(),
      assets: (await registry.assets.list(scope, { siteId: 'demo-plant' }, { limit: 500 })).items.length,
      workOrders: (await registry.workOrders.list(scope, { siteId: 'demo-plant' }, { limit: 500 })).items.length,
      rules: (await registry.workOrders.rules.list(scope, { limit: 500 })).items.length,
      credentials: (await registry.credentials.list(scope, 'demo-plant')).length,
      configVersions: (await registry.configs.versions(scope, 'demo-plant', { limit: 50 })).items.length,
    };
  };

  it('creates everything once; a second run changes nothing and reuses the secret', async () => {
    const first = await seedDemo(registry, input);
    expect(first.admin.passwordSource).toBe('generated');
    expect(first.admin.password).toMatch(/^[\w-]{24}$/);
    expect(await verifyPassword(first.admin.password!, (await registry.users.findForLogin('admin'))!.passwordHash)).toBe(true);
    expect(statSync(input.secretFile).mode & 0o777).toBe(0o600);
    expect(await registry.credentials.verify('demo-plant', first.siteSecret)).toEqual({ tenantId: first.admin.tenantId });
    const before = await counts(first.admin.tenantId);
    expect(before).toEqual({ users: 1, assets: demoAssetTree().length, workOrders: DEMO_WORK_ORDERS.length, rules: 1, credentials: 1, configVersions: 1 });
    const scope = { tenantId: first.admin.tenantId, sites: null };
    const states = (await registry.workOrders.list(scope, { siteId: 'demo-plant' }, { limit: 50 })).items.map((w) => [w.title, w.state]);
    expect(DEMO_WORK_ORDERS.map((s) => states.find(([t]) => t === s.title)?.[1])).toEqual(['draft', 'open', 'in_progress', 'closed']);
    const assigned = (await registry.workOrders.list(scope, { siteId: 'demo-plant', state: ['in_progress'] }, { limit: 5 })).items[0]!;
    expect(assigned.assigneeId).toBe(first.admin.userId);

    const second = await seedDemo(registry, input);
    expect(second.changes).toEqual([]);
    expect(second.admin).toEqual({ ...first.admin, password: null, passwordSource: 'first-start' });
    expect(second.siteSecret).toBe(first.siteSecret);
    expect(second.assetIds).toEqual(first.assetIds);
    expect(second.envelope).toEqual(first.envelope);
    expect(await counts(first.admin.tenantId)).toEqual(before);
  });

  it('a lost secret file gets a new credential (the old one stops working); moved simulators get a new config version', async () => {
    const first = await seedDemo(registry, input);
    rmSync(input.secretFile);
    const second = await seedDemo(registry, { ...input, configBody: demoSiteConfigBody('demo-plant', endpoints(16020), timing) });
    expect(second.changes).toEqual(['edge credential issued', 'site config version 2 stored']);
    expect(second.siteSecret).not.toBe(first.siteSecret);
    expect(await registry.credentials.verify('demo-plant', first.siteSecret)).toBeNull();
    expect(await registry.credentials.verify('demo-plant', second.siteSecret)).not.toBeNull();
    expect(second.envelope.version).toBe(2);
  });

  it('DCMMS_ADMIN_PASSWORD is honoured at every start; a new DCMMS_ADMIN_USER becomes another admin of the demo tenant', async () => {
    const first = await seedDemo(registry, { ...input, password: 'first-password-123' });
    expect(first.admin).toMatchObject({ password: 'first-password-123', passwordSource: 'environment' });
    const reset = await seedDemo(registry, { ...input, password: 'second-password-456' });
    expect(reset.admin).toMatchObject({ password: 'second-password-456', passwordSource: 'environment', userId: first.admin.userId });
    const hash = (await registry.users.findForLogin('admin'))!.passwordHash;
    expect(await verifyPassword('second-password-456', hash)).toBe(true);
    expect(await verifyPassword('first-password-123', hash)).toBe(false);

    const other = await seedDemo(registry, { ...input, username: 'operator' });
    expect(other.admin).toMatchObject({ username: 'operator', tenantId: first.admin.tenantId, passwordSource: 'generated' });
    expect((await registry.users.get(first.admin.tenantId, other.admin.userId))?.role).toBe('admin');
    expect(await counts(first.admin.tenantId)).toMatchObject({ users: 2, assets: demoAssetTree().length, workOrders: DEMO_WORK_ORDERS.length });
  });
});
