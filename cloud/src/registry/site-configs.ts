import type { ConfigEnvelope, ConfigResult } from '@dcmms/shared';
import type { AuditWriter } from './audit.js';
import { requireSite as requireSiteIn, type Actor, type RegistryContext, type Scope } from './context.js';
import { staleVersion } from './errors.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import { validateSiteConfigBody } from './site-config-validation.js';
import { isUniqueViolation, storable } from './sql-errors.js';
import type { SiteConfigsTable } from '../db/tables/sites.js';

export interface SiteConfigVersion {
  readonly siteId: string;
  readonly version: number;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly result: { readonly status: 'applied' | 'rejected'; readonly reason: string | null; readonly at: number } | null;
}

export interface SiteConfigDocument extends SiteConfigVersion {
  readonly body: Record<string, unknown>;
}

export interface SiteConfigState {
  readonly desired: SiteConfigDocument | null;
  /** What the edge last reported as applied (from its config results and status). */
  readonly appliedVersion: number | null;
  readonly inSync: boolean;
}

export interface SiteConfigStore {
  /** Validates and stores the next version; returns the envelope to push down. */
  put(actor: Actor, scope: Scope, siteId: string, body: unknown, expectedVersion?: number): Promise<{ readonly document: SiteConfigDocument; readonly envelope: ConfigEnvelope }>;
  state(scope: Scope, siteId: string): Promise<SiteConfigState>;
  versions(scope: Scope, siteId: string, page: PageRequest): Promise<Page<SiteConfigVersion>>;
  version(scope: Scope, siteId: string, version: number): Promise<SiteConfigDocument | null>;
  /** The edge's answer (EdgeResultSink); unknown sites or versions are ignored. */
  applyResult(result: ConfigResult): Promise<boolean>;
}

const toVersion = (r: Omit<SiteConfigsTable, 'body'>): SiteConfigVersion => ({
  siteId: r.site_id,
  version: r.version,
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  result: r.result_status === null ? null : { status: r.result_status as 'applied' | 'rejected', reason: r.result_reason, at: Number(r.result_at) },
});
const toDocument = (r: SiteConfigsTable): SiteConfigDocument => ({ ...toVersion(r), body: JSON.parse(r.body) as Record<string, unknown> });

export function createSiteConfigStore(ctx: RegistryContext, audit: AuditWriter): SiteConfigStore {
  const requireSite = (scope: Scope, siteId: string) => requireSiteIn(ctx.db, scope, siteId);
  return {
    async put(actor, scope, siteId, body, expectedVersion) {
      await requireSite(scope, siteId);
      const valid = validateSiteConfigBody(siteId, body);
      try {
        return await ctx.db.transaction().execute(async (trx) => {
        const latest = await trx.selectFrom('site_configs').select(['version']).where('site_id', '=', siteId).orderBy('version', 'desc').limit(1).executeTakeFirst();
        const current = latest?.version ?? 0;
        if (expectedVersion !== undefined && expectedVersion !== current) throw staleVersion('site config', siteId, expectedVersion, current);
        const now = ctx.clock.now();
        const row: SiteConfigsTable = { tenant_id: scope.tenantId, site_id: siteId, version: current + 1, body: JSON.stringify(valid), created_at: now, created_by: actor.name, result_status: null, result_reason: null, result_at: null };
        // (site_id, version) is the primary key: of two concurrent puts, the second fails here.
        await trx.insertInto('site_configs').values(row).execute();
        await audit(trx, actor, { action: 'site.config.put', entityType: 'site_config', entityId: `${siteId}@${row.version}`, siteId, after: { version: row.version } });
        return { document: toDocument(row), envelope: { site: siteId, version: row.version, issuedAt: now, body: valid } };
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw staleVersion('site config', siteId, expectedVersion ?? -1, null);
        throw err;
      }
    },
    async state(scope, siteId) {
      await requireSite(scope, siteId);
      const latest = await ctx.db.selectFrom('site_configs').selectAll().where('site_id', '=', siteId).orderBy('version', 'desc').limit(1).executeTakeFirst();
      const applied = await ctx.db.selectFrom('site_configs').select('version').where('site_id', '=', siteId).where('result_status', '=', 'applied').orderBy('version', 'desc').limit(1).executeTakeFirst();
      const status = await ctx.db.selectFrom('site_status').select('applied_config_version').where('site_id', '=', siteId).executeTakeFirst();
      const appliedVersion = Math.max(applied?.version ?? 0, status?.applied_config_version ?? 0) || null;
      return { desired: latest ? toDocument(latest) : null, appliedVersion, inSync: latest !== undefined && appliedVersion === latest.version };
    },
    async versions(scope, siteId, page) {
      await requireSite(scope, siteId);
      let q = ctx.db.selectFrom('site_configs').select(['tenant_id', 'site_id', 'version', 'created_at', 'created_by', 'result_status', 'result_reason', 'result_at']).where('site_id', '=', siteId);
      if (page.cursor !== undefined) {
        const [v] = decodeCursor('config_versions', page.cursor, 'number+id');
        q = q.where('version', '<', v);
      }
      const rows = await q.orderBy('version', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toVersion, (r) => [r.version, r.site_id], 'config_versions');
    },
    async version(scope, siteId, version) {
      await requireSite(scope, siteId);
      const r = await ctx.db.selectFrom('site_configs').selectAll().where('site_id', '=', siteId).where('version', '=', version).executeTakeFirst();
      return r ? toDocument(r) : null;
    },
    async applyResult(result) {
      const res = await ctx.db
        .updateTable('site_configs')
        .set({ result_status: result.status, result_reason: storable(result.reason) ?? null, result_at: result.ts })
        .where('site_id', '=', result.site)
        .where('version', '=', result.version)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },
  };
}
