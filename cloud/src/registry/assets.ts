import type { AuditWriter } from './audit.js';
import { MAX_ASSET_DEPTH, descendantsByLevel, placeUnder } from './asset-tree.js';
import { inSites, requireSite, siteVisible, type Actor, type Db, type RegistryContext, type Scope, type Trx } from './context.js';
import { notFound, RegistryError, staleVersion } from './errors.js';
import { boxAround, haversineKm, type Box } from './geo.js';
import { containsText, decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import type { Location } from './sites.js';
import type { AssetsTable } from '../db/tables/assets.js';

export interface Asset {
  readonly id: string;
  readonly tenantId: string;
  readonly siteId: string;
  readonly parentId: string | null;
  readonly depth: number;
  readonly name: string;
  readonly kind: string;
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly serial: string | null;
  readonly installDate: string | null;
  readonly location: Location | null;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
}

export interface NewAsset {
  readonly siteId: string;
  readonly parentId?: string | null | undefined;
  readonly name: string;
  readonly kind: string;
  readonly manufacturer?: string | null | undefined;
  readonly model?: string | null | undefined;
  readonly serial?: string | null | undefined;
  readonly installDate?: string | null | undefined;
  readonly location?: Location | null | undefined;
  readonly metadata?: Record<string, unknown> | undefined;
  readonly tags?: readonly string[] | undefined;
}

export type AssetPatch = Partial<Omit<NewAsset, 'siteId' | 'tags'>>;

export interface AssetFilter {
  readonly siteId?: string | undefined;
  readonly kind?: string | undefined;
  readonly q?: string | undefined;
  readonly parentId?: string | undefined;
  /** Only assets whose location is inside the box. */
  readonly bbox?: Box | undefined;
}

export interface AssetNode extends Asset {
  readonly children: AssetNode[];
}

export interface AssetHierarchy {
  /** From the top-level asset under the site down to the asset's parent. */
  readonly ancestors: Asset[];
  readonly asset: AssetNode;
}

export interface NearbyQuery {
  readonly lat: number;
  readonly lon: number;
  readonly radiusKm: number;
  readonly siteId?: string | undefined;
  readonly kind?: string | undefined;
  readonly limit: number;
}

export interface AssetStore {
  create(actor: Actor, scope: Scope, input: NewAsset): Promise<Asset>;
  get(scope: Scope, id: string): Promise<Asset | null>;
  require(scope: Scope, id: string): Promise<Asset>;
  list(scope: Scope, filter: AssetFilter, page: PageRequest): Promise<Page<Asset>>;
  update(actor: Actor, scope: Scope, id: string, patch: AssetPatch, expectedVersion?: number): Promise<Asset>;
  delete(actor: Actor, scope: Scope, id: string): Promise<void>;
  hierarchy(scope: Scope, id: string): Promise<AssetHierarchy>;
  tags(scope: Scope, id: string): Promise<string[]>;
  /** The asset and its tags (one scope check, two queries): what telemetry routes need. */
  withTags(scope: Scope, id: string): Promise<{ readonly asset: Asset; readonly tags: string[] }>;
  /** Replaces the asset's tag bindings; a tag bound to another asset of the site is refused. */
  setTags(actor: Actor, scope: Scope, id: string, tags: readonly string[]): Promise<string[]>;
  nearby(scope: Scope, query: NearbyQuery): Promise<Array<Asset & { readonly distanceKm: number }>>;
  /** Tag -> asset bindings of one site, any tenant (for the intake's site directory). */
  bindingsOfSite(siteId: string): Promise<Map<string, string>>;
}

/** The coarse box of a radius query may not hold more candidates than this. */
export const NEARBY_SCAN_LIMIT = 5000;

export const toAsset = (r: AssetsTable): Asset => ({
  id: r.id,
  tenantId: r.tenant_id,
  siteId: r.site_id,
  parentId: r.parent_id,
  depth: r.depth,
  name: r.name,
  kind: r.kind,
  manufacturer: r.manufacturer,
  model: r.model,
  serial: r.serial,
  installDate: r.install_date,
  location: r.lat === null || r.lon === null ? null : { lat: Number(r.lat), lon: Number(r.lon) },
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  version: r.version,
});

export function createAssetStore(ctx: RegistryContext, audit: AuditWriter): AssetStore {
  const row = async (db: Db | Trx, scope: Scope, id: string) => {
    let q = db.selectFrom('assets').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id);
    if (scope.sites !== null) q = q.where(inSites('site_id', scope.sites));
    return q.executeTakeFirst();
  };
  const requireRow = async (db: Db | Trx, scope: Scope, id: string) => {
    const r = await row(db, scope, id);
    if (!r) throw notFound('asset', id);
    return r;
  };
  /** The parent and its ancestors, nearest first. */
  const chainOf = async (db: Db | Trx, tenantId: string, parentId: string): Promise<AssetsTable[]> => {
    const chain: AssetsTable[] = [];
    let next: string | null = parentId;
    while (next !== null && chain.length <= MAX_ASSET_DEPTH) {
      const r = await db.selectFrom('assets').selectAll().where('tenant_id', '=', tenantId).where('id', '=', next).executeTakeFirst();
      if (!r) break;
      chain.push(r);
      next = r.parent_id;
    }
    return chain;
  };
  const badParent = (parentId: string) =>
    new RegistryError('DCMMS_REGISTRY_REFERENCE_INVALID', `parent asset ${JSON.stringify(parentId)} not found in this site`, { details: { field: 'parentId' } });
  const tooDeep = (depth: number) =>
    new RegistryError('DCMMS_ASSET_TOO_DEEP', `the hierarchy would be ${depth} levels deep under the site; at most ${MAX_ASSET_DEPTH} are allowed`, { details: { max: MAX_ASSET_DEPTH, depth } });

  const checkTagsFree = async (trx: Trx, siteId: string, assetId: string, tags: readonly string[]) => {
    if (tags.length === 0) return;
    const bound = await trx.selectFrom('asset_tags').select(['tag', 'asset_id']).where('site_id', '=', siteId).where('tag', 'in', [...tags]).execute();
    const taken = bound.filter((b) => b.asset_id !== assetId);
    if (taken.length > 0) {
      throw new RegistryError('DCMMS_REGISTRY_CONFLICT', `tag(s) already bound to another asset of the site: ${taken.map((t) => t.tag).slice(0, 10).join(', ')}`, {
        details: { field: 'tags', tags: taken.map((t) => ({ tag: t.tag, assetId: t.asset_id })).slice(0, 100) },
      });
    }
  };

  const store: AssetStore = {
    async get(scope, id) {
      const r = await row(ctx.db, scope, id);
      return r ? toAsset(r) : null;
    },
    async require(scope, id) {
      return toAsset(await requireRow(ctx.db, scope, id));
    },
    async create(actor, scope, input) {
      const now = ctx.clock.now();
      return ctx.db.transaction().execute(async (trx) => {
        await requireSite(trx, scope, input.siteId);
        let depth = 1;
        if (input.parentId) {
          const chain = await chainOf(trx, scope.tenantId, input.parentId);
          if (chain.length === 0 || chain[0]!.site_id !== input.siteId) throw badParent(input.parentId);
          const placed = placeUnder(null, 1, chain.map((c) => c.id));
          if (!placed.ok) throw tooDeep(placed.depth);
          depth = placed.depth;
        }
        const r: AssetsTable = {
          id: ctx.newId(),
          tenant_id: scope.tenantId,
          site_id: input.siteId,
          parent_id: input.parentId ?? null,
          depth,
          name: input.name,
          kind: input.kind,
          manufacturer: input.manufacturer ?? null,
          model: input.model ?? null,
          serial: input.serial ?? null,
          install_date: input.installDate ?? null,
          lat: input.location?.lat ?? null,
          lon: input.location?.lon ?? null,
          metadata: JSON.stringify(input.metadata ?? {}),
          created_at: now,
          updated_at: now,
          version: 1,
        };
        await trx.insertInto('assets').values(r).execute();
        const tags = [...new Set(input.tags ?? [])];
        await checkTagsFree(trx, input.siteId, r.id, tags);
        if (tags.length > 0) {
          await trx.insertInto('asset_tags').values(tags.map((tag) => ({ tenant_id: scope.tenantId, site_id: input.siteId, tag, asset_id: r.id, created_at: now }))).execute();
        }
        await audit(trx, actor, { action: 'asset.create', entityType: 'asset', entityId: r.id, siteId: r.site_id, after: { ...toAsset(r), tags } });
        return toAsset(r);
      });
    },
    async list(scope, filter, page) {
      if (filter.siteId !== undefined && !siteVisible(scope, filter.siteId)) return { items: [], nextCursor: null };
      let q = ctx.db.selectFrom('assets').selectAll().where('tenant_id', '=', scope.tenantId);
      if (scope.sites !== null) q = q.where(inSites('site_id', scope.sites));
      if (filter.siteId !== undefined) q = q.where('site_id', '=', filter.siteId);
      if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
      if (filter.parentId !== undefined) q = q.where('parent_id', '=', filter.parentId);
      if (filter.q !== undefined) {
        const text = filter.q;
        q = q.where((eb) => eb.or([containsText('name', text), containsText('serial', text), containsText('model', text), containsText('manufacturer', text)]));
      }
      if (filter.bbox !== undefined) {
        const b = filter.bbox;
        q = q.where('lat', '>=', b.minLat).where('lat', '<=', b.maxLat);
        q = b.minLon <= b.maxLon
          ? q.where('lon', '>=', b.minLon).where('lon', '<=', b.maxLon)
          : q.where((eb) => eb.or([eb('lon', '>=', b.minLon), eb('lon', '<=', b.maxLon)]));
      }
      if (page.cursor !== undefined) q = q.where('id', '>', decodeCursor('assets', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'asc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toAsset, (r) => [r.id], 'assets');
    },
    async update(actor, scope, id, patch, expectedVersion) {
      return ctx.db.transaction().execute(async (trx) => {
        const before = await requireRow(trx, scope, id);
        if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('asset', id, expectedVersion, before.version);
        let depth = before.depth;
        let moved: { levels: string[][]; delta: number } | null = null;
        if (patch.parentId !== undefined && patch.parentId !== before.parent_id) {
          const all = await trx.selectFrom('assets').select(['id', 'parent_id']).where('site_id', '=', before.site_id).execute();
          const levels = descendantsByLevel(id, all.map((a) => ({ id: a.id, parentId: a.parent_id })));
          let chain: string[] = [];
          if (patch.parentId !== null) {
            const rows = await chainOf(trx, scope.tenantId, patch.parentId);
            if (rows.length === 0 || rows[0]!.site_id !== before.site_id) throw badParent(patch.parentId);
            chain = rows.map((r) => r.id);
          }
          const placed = placeUnder(id, levels.length + 1, chain);
          if (!placed.ok && placed.reason === 'cycle') {
            throw new RegistryError('DCMMS_ASSET_CYCLE', `asset ${JSON.stringify(patch.parentId)} is ${JSON.stringify(id)} itself or one of its descendants`, { details: { field: 'parentId' } });
          }
          if (!placed.ok) throw tooDeep(placed.depth + levels.length);
          depth = placed.depth;
          moved = { levels, delta: depth - before.depth };
        }
        const after: AssetsTable = {
          ...before,
          parent_id: patch.parentId === undefined ? before.parent_id : patch.parentId,
          depth,
          name: patch.name ?? before.name,
          kind: patch.kind ?? before.kind,
          manufacturer: patch.manufacturer === undefined ? before.manufacturer : patch.manufacturer,
          model: patch.model === undefined ? before.model : patch.model,
          serial: patch.serial === undefined ? before.serial : patch.serial,
          install_date: patch.installDate === undefined ? before.install_date : patch.installDate,
          lat: patch.location === undefined ? before.lat : (patch.location?.lat ?? null),
          lon: patch.location === undefined ? before.lon : (patch.location?.lon ?? null),
          metadata: patch.metadata === undefined ? before.metadata : JSON.stringify(patch.metadata),
          updated_at: ctx.clock.now(),
          version: before.version + 1,
        };
        const { id: _id, tenant_id: _t, site_id: _s, created_at: _c, ...set } = after;
        const res = await trx.updateTable('assets').set(set).where('id', '=', id).where('version', '=', before.version).executeTakeFirst();
        if (res.numUpdatedRows !== 1n) throw staleVersion('asset', id, before.version, null);
        if (moved && moved.delta !== 0) {
          for (const level of moved.levels) {
            await trx.updateTable('assets').set((eb) => ({ depth: eb('depth', '+', moved.delta) })).where('id', 'in', level).execute();
          }
        }
        await audit(trx, actor, { action: 'asset.update', entityType: 'asset', entityId: id, siteId: before.site_id, before: toAsset(before), after: toAsset(after) });
        return toAsset(after);
      });
    },
    async delete(actor, scope, id) {
      await ctx.db.transaction().execute(async (trx) => {
        const before = await requireRow(trx, scope, id);
        const child = await trx.selectFrom('assets').select('id').where('parent_id', '=', id).limit(1).executeTakeFirst();
        if (child) throw new RegistryError('DCMMS_REGISTRY_IN_USE', `asset ${JSON.stringify(id)} has child assets: move or delete them first`, { details: { dependents: 'assets' } });
        const wo = await trx.selectFrom('work_orders').select('id').where('asset_id', '=', id).limit(1).executeTakeFirst();
        if (wo) throw new RegistryError('DCMMS_REGISTRY_IN_USE', `asset ${JSON.stringify(id)} has work orders`, { details: { dependents: 'work_orders' } });
        await trx.deleteFrom('asset_tags').where('asset_id', '=', id).execute();
        await trx.deleteFrom('assets').where('id', '=', id).execute();
        await audit(trx, actor, { action: 'asset.delete', entityType: 'asset', entityId: id, siteId: before.site_id, before: toAsset(before) });
      });
    },
    async hierarchy(scope, id) {
      const r = await requireRow(ctx.db, scope, id);
      const ancestors = r.parent_id === null ? [] : (await chainOf(ctx.db, scope.tenantId, r.parent_id)).reverse().map(toAsset);
      const siteRows = await ctx.db.selectFrom('assets').selectAll().where('site_id', '=', r.site_id).where('tenant_id', '=', scope.tenantId).execute();
      const byParent = new Map<string, AssetsTable[]>();
      for (const a of siteRows) {
        if (a.parent_id === null) continue;
        const list = byParent.get(a.parent_id) ?? [];
        list.push(a);
        byParent.set(a.parent_id, list);
      }
      const build = (a: AssetsTable, level: number): AssetNode => ({
        ...toAsset(a),
        children: level >= MAX_ASSET_DEPTH ? [] : (byParent.get(a.id) ?? []).sort((x, y) => (x.id < y.id ? -1 : 1)).map((c) => build(c, level + 1)),
      });
      return { ancestors, asset: build(r, r.depth) };
    },
    async tags(scope, id) {
      await requireRow(ctx.db, scope, id);
      const rows = await ctx.db.selectFrom('asset_tags').select('tag').where('asset_id', '=', id).orderBy('tag').execute();
      return rows.map((t) => t.tag);
    },
    async withTags(scope, id) {
      const asset = toAsset(await requireRow(ctx.db, scope, id));
      const rows = await ctx.db.selectFrom('asset_tags').select('tag').where('asset_id', '=', id).orderBy('tag').execute();
      return { asset, tags: rows.map((t) => t.tag) };
    },
    async setTags(actor, scope, id, tags) {
      const unique = [...new Set(tags)].sort();
      return ctx.db.transaction().execute(async (trx) => {
        const asset = await requireRow(trx, scope, id);
        const before = (await trx.selectFrom('asset_tags').select('tag').where('asset_id', '=', id).orderBy('tag').execute()).map((t) => t.tag);
        await checkTagsFree(trx, asset.site_id, id, unique);
        await trx.deleteFrom('asset_tags').where('asset_id', '=', id).execute();
        if (unique.length > 0) {
          const now = ctx.clock.now();
          await trx.insertInto('asset_tags').values(unique.map((tag) => ({ tenant_id: scope.tenantId, site_id: asset.site_id, tag, asset_id: id, created_at: now }))).execute();
        }
        await audit(trx, actor, { action: 'asset.tags', entityType: 'asset', entityId: id, siteId: asset.site_id, before: { tags: before }, after: { tags: unique } });
        return unique;
      });
    },
    async nearby(scope, query) {
      const box = boxAround(query.lat, query.lon, query.radiusKm);
      const page = await store.list(scope, { siteId: query.siteId, kind: query.kind, bbox: box }, { limit: NEARBY_SCAN_LIMIT });
      if (page.nextCursor !== null) {
        throw new RegistryError('DCMMS_REGISTRY_QUERY_TOO_LARGE', `more than ${NEARBY_SCAN_LIMIT} assets lie in that area: use a smaller radius or filter by site or kind`, { details: { limit: NEARBY_SCAN_LIMIT } });
      }
      return page.items
        .map((a) => ({ ...a, distanceKm: haversineKm(query.lat, query.lon, a.location!.lat, a.location!.lon) }))
        .filter((a) => a.distanceKm <= query.radiusKm)
        .sort((a, b) => a.distanceKm - b.distanceKm || (a.id < b.id ? -1 : 1))
        .slice(0, query.limit);
    },
    async bindingsOfSite(siteId) {
      const rows = await ctx.db.selectFrom('asset_tags').select(['tag', 'asset_id']).where('site_id', '=', siteId).execute();
      return new Map(rows.map((r) => [r.tag, r.asset_id]));
    },
  };
  return store;
}
