import { systemActor, type Registry, type Scope } from '@dcmms/cloud';
import type { AssetSpec } from './assets.js';
import { SEED_ACTOR_NAME } from './seed-admin.js';

export interface AssetsSeed {
  /** Asset key (see assets.ts) -> registry id. */
  readonly ids: Readonly<Record<string, string>>;
  readonly created: number;
  readonly rebound: number;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * The asset tree with its tag bindings. Assets are recognised by `metadata.demoKey`; missing
 * ones are created, bindings that drifted are set back, nothing is duplicated.
 */
export async function seedAssets(registry: Registry, tenantId: string, siteId: string, specs: readonly AssetSpec[]): Promise<AssetsSeed> {
  const actor = systemActor(tenantId, SEED_ACTOR_NAME);
  const scope: Scope = { tenantId, sites: null };
  const existing = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await registry.assets.list(scope, { siteId }, { limit: 500, cursor });
    for (const a of page.items) {
      const key = a.metadata['demoKey'];
      if (typeof key === 'string') existing.set(key, a.id);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);

  const ids: Record<string, string> = {};
  let created = 0;
  let rebound = 0;
  // Parents come before their children in the specs.
  for (const spec of specs) {
    const parentId = spec.parentKey === null ? null : ids[spec.parentKey];
    if (parentId === undefined) throw new Error(`asset ${spec.key}: parent ${spec.parentKey} comes later in the tree`);
    const id = existing.get(spec.key);
    if (id === undefined) {
      const asset = await registry.assets.create(actor, scope, {
        siteId,
        parentId,
        name: spec.name,
        kind: spec.kind,
        manufacturer: spec.manufacturer ?? null,
        model: spec.model ?? null,
        serial: spec.serial ?? null,
        metadata: { demoKey: spec.key },
        tags: spec.tags,
      });
      ids[spec.key] = asset.id;
      created++;
      continue;
    }
    ids[spec.key] = id;
    if (!sameSet(await registry.assets.tags(scope, id), spec.tags)) {
      await registry.assets.setTags(actor, scope, id, spec.tags);
      rebound++;
    }
  }
  return { ids, created, rebound };
}
