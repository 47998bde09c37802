import { existsSync, readFileSync } from 'node:fs';
import { systemActor, type Registry, type Scope } from '@dcmms/cloud';
import type { ConfigEnvelope } from '@dcmms/shared';
import { writeAtomic } from './data-dir.js';
import { SEED_ACTOR_NAME } from './seed-admin.js';

export interface SiteSeed {
  readonly siteCreated: boolean;
  /** The edge's MQTT secret (kept in the data folder; the registry has its hash). */
  readonly secret: string;
  readonly credentialIssued: boolean;
  /** The config version to push down (retained): the latest, which is this body. */
  readonly envelope: ConfigEnvelope;
  readonly configCreated: boolean;
}

/** Key order does not make two configs different. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

/**
 * The site, its edge credential and its config. Idempotent: the secret in the data folder is
 * reused while the registry still accepts it (otherwise a new one is issued and saved), and a
 * config version is added only when the body differs from the latest (simulators moved).
 */
export async function seedSite(registry: Registry, tenantId: string, o: { readonly siteId: string; readonly secretFile: string; readonly configBody: Record<string, unknown> }): Promise<SiteSeed> {
  const actor = systemActor(tenantId, SEED_ACTOR_NAME);
  const scope: Scope = { tenantId, sites: null };
  let siteCreated = false;
  if ((await registry.sites.get(scope, o.siteId)) === null) {
    await registry.sites.create(actor, scope, {
      id: o.siteId,
      name: 'Demo plant',
      description: 'Hybrid PV and wind plant of the dCMMS demo (simulated devices)',
      timezone: 'Europe/Berlin',
      location: { lat: 53.8712, lon: 8.7045 },
      metadata: { demo: true },
    });
    siteCreated = true;
  }

  const stored = existsSync(o.secretFile) ? readFileSync(o.secretFile, 'utf8').trim() : '';
  const valid = stored !== '' && (await registry.credentials.verify(o.siteId, stored)) !== null;
  let secret = stored;
  if (!valid) {
    secret = (await registry.credentials.issue(actor, scope, o.siteId, 0)).secret;
    writeAtomic(o.secretFile, `${secret}\n`, 0o600);
  }

  const state = await registry.configs.state(scope, o.siteId);
  const latest = state.desired;
  if (latest !== null && canonical(latest.body) === canonical(o.configBody)) {
    return { siteCreated, secret, credentialIssued: !valid, configCreated: false, envelope: { site: o.siteId, version: latest.version, issuedAt: latest.createdAt, body: latest.body } };
  }
  const { envelope } = await registry.configs.put(actor, scope, o.siteId, o.configBody, latest?.version ?? 0);
  return { siteCreated, secret, credentialIssued: !valid, configCreated: true, envelope };
}
