import type { AuditWriter } from './audit.js';
import { inSites, siteVisible, type Actor, type RegistryContext, type Scope } from './context.js';
import { notFound, RegistryError, staleVersion } from './errors.js';
import { containsText, decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import { isUniqueViolation } from './sql-errors.js';
import type { SitesTable } from '../db/tables/sites.js';

export interface Location {
  readonly lat: number;
  readonly lon: number;
}

export interface Site {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly description: string;
  readonly timezone: string;
  readonly location: Location | null;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
}

export interface NewSite {
  readonly id: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly timezone?: string | undefined;
  readonly location?: Location | null | undefined;
  readonly metadata?: Record<string, unknown> | undefined;
}

export type SitePatch = Partial<Omit<NewSite, 'id'>>;

export interface SiteStore {
  create(actor: Actor, scope: Scope, input: NewSite): Promise<Site>;
  get(scope: Scope, id: string): Promise<Site | null>;
  /** The site or DCMMS_REGISTRY_NOT_FOUND (also for a site outside the scope). */
  require(scope: Scope, id: string): Promise<Site>;
  list(scope: Scope, filter: { readonly q?: string | undefined }, page: PageRequest): Promise<Page<Site>>;
  update(actor: Actor, scope: Scope, id: string, patch: SitePatch, expectedVersion?: number): Promise<Site>;
  delete(actor: Actor, scope: Scope, id: string): Promise<void>;
  /** Any tenant: for the intake, which knows a site only by its id. */
  tenantOf(id: string): Promise<string | null>;
}

export const toSite = (r: SitesTable): Site => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  description: r.description,
  timezone: r.timezone,
  location: r.lat === null || r.lon === null ? null : { lat: Number(r.lat), lon: Number(r.lon) },
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  version: r.version,
});

export function createSiteStore(ctx: RegistryContext, audit: AuditWriter): SiteStore {
  const get = async (scope: Scope, id: string) => {
    if (!siteVisible(scope, id)) return null;
    const r = await ctx.db.selectFrom('sites').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toSite(r) : null;
  };
  const taken = (id: string) => new RegistryError('DCMMS_REGISTRY_CONFLICT', `the site id ${JSON.stringify(id)} is taken`, { details: { field: 'id' } });
  return {
    get,
    async require(scope, id) {
      const site = await get(scope, id);
      if (!site) throw notFound('site', id);
      return site;
    },
    async create(actor, scope, input) {
      const now = ctx.clock.now();
      const row: SitesTable = {
        id: input.id,
        tenant_id: scope.tenantId,
        name: input.name,
        description: input.description ?? '',
        timezone: input.timezone ?? 'UTC',
        lat: input.location?.lat ?? null,
        lon: input.location?.lon ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        created_at: now,
        updated_at: now,
        version: 1,
      };
      try {
        await ctx.db.transaction().execute(async (trx) => {
          // Site ids are global (they name MQTT topics), so a clash may be with another tenant.
          const existing = await trx.selectFrom('sites').select('id').where('id', '=', input.id).executeTakeFirst();
          if (existing) throw taken(input.id);
          await trx.insertInto('sites').values(row).execute();
          await audit(trx, actor, { action: 'site.create', entityType: 'site', entityId: row.id, siteId: row.id, after: toSite(row) });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw taken(input.id);
        throw err;
      }
      return toSite(row);
    },
    async list(scope, filter, page) {
      let q = ctx.db.selectFrom('sites').selectAll().where('tenant_id', '=', scope.tenantId);
      if (scope.sites !== null) q = q.where(inSites('id', scope.sites));
      if (filter.q !== undefined) q = q.where((eb) => eb.or([containsText('name', filter.q!), containsText('id', filter.q!)]));
      if (page.cursor !== undefined) q = q.where('id', '>', decodeCursor('sites', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'asc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toSite, (r) => [r.id], 'sites');
    },
    async update(actor, scope, id, patch, expectedVersion) {
      if (!siteVisible(scope, id)) throw notFound('site', id);
      return ctx.db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('sites').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('site', id);
        if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('site', id, expectedVersion, before.version);
        const after: SitesTable = {
          ...before,
          name: patch.name ?? before.name,
          description: patch.description ?? before.description,
          timezone: patch.timezone ?? before.timezone,
          lat: patch.location === undefined ? before.lat : (patch.location?.lat ?? null),
          lon: patch.location === undefined ? before.lon : (patch.location?.lon ?? null),
          metadata: patch.metadata === undefined ? before.metadata : JSON.stringify(patch.metadata),
          updated_at: ctx.clock.now(),
          version: before.version + 1,
        };
        const res = await trx
          .updateTable('sites')
          .set({ name: after.name, description: after.description, timezone: after.timezone, lat: after.lat, lon: after.lon, metadata: after.metadata, updated_at: after.updated_at, version: after.version })
          .where('id', '=', id)
          .where('version', '=', before.version)
          .executeTakeFirst();
        if (res.numUpdatedRows !== 1n) throw staleVersion('site', id, before.version, null);
        await audit(trx, actor, { action: 'site.update', entityType: 'site', entityId: id, siteId: id, before: toSite(before), after: toSite(after) });
        return toSite(after);
      });
    },
    async delete(actor, scope, id) {
      if (!siteVisible(scope, id)) throw notFound('site', id);
      await ctx.db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('sites').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('site', id);
        // History outlives a decommissioned site only if someone removes it deliberately first.
        for (const table of ['assets', 'work_orders', 'alerts'] as const) {
          const used = await trx.selectFrom(table).select('id').where('site_id', '=', id).limit(1).executeTakeFirst();
          if (used) {
            throw new RegistryError('DCMMS_REGISTRY_IN_USE', `site ${JSON.stringify(id)} still has ${table.replace('_', ' ')}: remove them first`, { details: { dependents: table } });
          }
        }
        await trx.deleteFrom('asset_tags').where('site_id', '=', id).execute();
        await trx.deleteFrom('wo_rules').where('site_id', '=', id).execute();
        await trx.deleteFrom('sites').where('id', '=', id).execute();
        await audit(trx, actor, { action: 'site.delete', entityType: 'site', entityId: id, siteId: id, before: toSite(before) });
      });
      // Users and keys limited to this site keep the id in their scope; it matches nothing now.
    },
    async tenantOf(id) {
      const r = await ctx.db.selectFrom('sites').select('tenant_id').where('id', '=', id).executeTakeFirst();
      return r?.tenant_id ?? null;
    },
  };
}
