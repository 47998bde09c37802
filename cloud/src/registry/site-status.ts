import type { SiteStatus } from '@dcmms/shared';
import { siteVisible, type RegistryContext, type Scope } from './context.js';
import { notFound } from './errors.js';
import { storable } from './sql-errors.js';
import type { SiteStatusTable } from '../db/tables/sites.js';

export interface SiteStatusView {
  readonly siteId: string;
  readonly state: 'online' | 'offline' | 'unknown';
  /** The edge's timestamp of its latest status, and when the cloud received it. */
  readonly lastSeenAt: number | null;
  readonly receivedAt: number | null;
  readonly agentVersion: string | null;
  readonly appliedConfigVersion: number | null;
  readonly buffer: NonNullable<SiteStatus['buffer']> | null;
  readonly devices: NonNullable<SiteStatus['devices']> | null;
}

export interface SiteStatusStore {
  /** SiteStatusSink: keeps the newest status per site; a late older one changes nothing. */
  apply(status: SiteStatus): Promise<boolean>;
  get(scope: Scope, siteId: string): Promise<SiteStatusView>;
}

const unknown = (siteId: string): SiteStatusView => ({ siteId, state: 'unknown', lastSeenAt: null, receivedAt: null, agentVersion: null, appliedConfigVersion: null, buffer: null, devices: null });

const toView = (r: SiteStatusTable): SiteStatusView => ({
  siteId: r.site_id,
  state: r.state as 'online' | 'offline',
  lastSeenAt: Number(r.ts),
  receivedAt: Number(r.received_at),
  agentVersion: r.agent_version,
  appliedConfigVersion: r.applied_config_version,
  buffer: r.buffer === null ? null : (JSON.parse(r.buffer) as NonNullable<SiteStatus['buffer']>),
  devices: r.devices === null ? null : (JSON.parse(r.devices) as NonNullable<SiteStatus['devices']>),
});

export function createSiteStatusStore(ctx: RegistryContext): SiteStatusStore {
  return {
    async apply(status) {
      const site = await ctx.db.selectFrom('sites').select('tenant_id').where('id', '=', status.site).executeTakeFirst();
      if (!site) return false;
      const row: SiteStatusTable = {
        site_id: status.site,
        tenant_id: site.tenant_id,
        state: status.state,
        ts: status.ts,
        received_at: ctx.clock.now(),
        agent_version: storable(status.agentVersion) ?? null,
        applied_config_version: status.appliedConfigVersion,
        buffer: status.buffer === undefined ? null : JSON.stringify(status.buffer),
        devices: status.devices === undefined ? null : JSON.stringify(status.devices),
      };
      const { site_id: _id, tenant_id: _t, ...update } = row;
      const res = await ctx.db
        .insertInto('site_status')
        .values(row)
        // Statuses are retained and replayed; only a newer one (or the same one again) replaces.
        .onConflict((oc) => oc.column('site_id').doUpdateSet(update).where('site_status.ts', '<=', status.ts))
        .executeTakeFirst();
      return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async get(scope, siteId) {
      const site = siteVisible(scope, siteId) ? await ctx.db.selectFrom('sites').select('id').where('tenant_id', '=', scope.tenantId).where('id', '=', siteId).executeTakeFirst() : undefined;
      if (!site) throw notFound('site', siteId);
      const r = await ctx.db.selectFrom('site_status').selectAll().where('site_id', '=', siteId).executeTakeFirst();
      return r ? toView(r) : unknown(siteId);
    },
  };
}
