import type { Registry } from '@dcmms/cloud';
import type { ConfigEnvelope } from '@dcmms/shared';
import { demoAssetTree } from './assets.js';
import { seedAdmin, type AdminSeed } from './seed-admin.js';
import { seedAssets } from './seed-assets.js';
import { seedSite } from './seed-site.js';
import { seedWorkOrders } from './seed-workorders.js';
import { DEMO_WORK_ORDERS } from './work-orders.js';

export interface SeedInput {
  readonly siteId: string;
  readonly username: string;
  readonly password: string | undefined;
  readonly secretFile: string;
  readonly configBody: Record<string, unknown>;
}

export interface SeedResult {
  readonly admin: AdminSeed;
  readonly siteSecret: string;
  readonly assetIds: Readonly<Record<string, string>>;
  /** The latest config version: pushed down (retained) once the gateway runs. */
  readonly envelope: ConfigEnvelope;
  /** What this run created or changed, for the log ("nothing" on a plain restart). */
  readonly changes: readonly string[];
}

/** Everything the demo needs in the registry, created once and checked on every start. */
export async function seedDemo(registry: Registry, input: SeedInput): Promise<SeedResult> {
  const admin = await seedAdmin(registry, { username: input.username, password: input.password, siteId: input.siteId });
  const site = await seedSite(registry, admin.tenantId, { siteId: input.siteId, secretFile: input.secretFile, configBody: input.configBody });
  const assets = await seedAssets(registry, admin.tenantId, input.siteId, demoAssetTree());
  const wos = await seedWorkOrders(registry, admin.tenantId, { siteId: input.siteId, assigneeId: admin.userId, assetIds: assets.ids, specs: DEMO_WORK_ORDERS });
  const changes = [
    admin.passwordSource === 'generated' ? `admin user ${admin.username} created` : '',
    site.siteCreated ? `site ${input.siteId} created` : '',
    site.credentialIssued ? 'edge credential issued' : '',
    site.configCreated ? `site config version ${site.envelope.version} stored` : '',
    assets.created > 0 ? `${assets.created} assets created` : '',
    assets.rebound > 0 ? `${assets.rebound} assets re-bound to their tags` : '',
    wos.ruleCreated ? 'work-order rule created' : '',
    wos.created > 0 ? `${wos.created} work orders created` : '',
  ].filter(Boolean);
  return { admin, siteSecret: site.secret, assetIds: assets.ids, envelope: site.envelope, changes };
}
