import type { AlarmState, AlertAction, AlertEvent, Severity } from '@dcmms/shared';
import { activeAfter, applyOperatorAction, type OperatorAction } from './alert-state.js';
import type { AuditWriter } from './audit.js';
import type { RegistryChange } from './changes.js';
import { inSites, siteVisible, type Actor, type Db, type RegistryContext, type Scope, type Trx } from './context.js';
import { notFound, RegistryError } from './errors.js';
import { afterDesc, decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import { storable } from './sql-errors.js';
import type { AlertEventsTable, AlertsTable } from '../db/tables/alerts.js';

export interface Alert {
  readonly id: string;
  readonly siteId: string;
  readonly alertKey: string;
  readonly occurrence: number;
  readonly ruleId: string;
  readonly tag: string | null;
  readonly assetId: string | null;
  readonly severity: Severity;
  readonly state: AlarmState;
  readonly active: boolean;
  readonly message: string;
  readonly value: number | boolean | null;
  readonly raisedAt: number;
  readonly clearedAt: number | null;
  readonly ackedAt: number | null;
  readonly ackedBy: string | null;
  readonly shelvedUntil: number | null;
  readonly lastEventAt: number;
  readonly updatedAt: number;
  readonly revision: number;
  readonly workOrderId: string | null;
}

export interface AlertEventView {
  readonly id: string;
  readonly kind: string;
  readonly state: AlarmState;
  readonly ts: number;
  readonly eventSeq: number | null;
  readonly source: 'edge' | 'cloud';
  readonly actor: string | null;
  readonly comment: string | null;
  readonly message: string | null;
  readonly value: number | boolean | null;
  readonly shelvedUntil: number | null;
  readonly recordedAt: number;
}

export interface AlertFilter {
  readonly siteId?: string | undefined;
  readonly assetId?: string | undefined;
  readonly severity?: readonly Severity[] | undefined;
  readonly state?: readonly AlarmState[] | undefined;
  readonly active?: boolean | undefined;
  /** Raised at or after / before (ms). */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

export interface AlertCounts {
  readonly total: number;
  readonly byState: Record<AlarmState, number>;
  readonly bySeverity: Record<Severity, number>;
  readonly activeUnacked: number;
}

export interface AlertChangeRow {
  readonly id: string;
  readonly tenantId: string;
  readonly siteId: string;
  readonly assetId: string | null;
  readonly revision: number;
  readonly updatedAt: number;
}

/** Called inside the transaction that applied a `raised` event; returns the linked work order id. */
export type AutoOpenHook = (trx: Trx, alert: AlertsTable, assetKind: string | null) => Promise<string | null>;

export interface AlertStore {
  /** AlertEventSink: idempotent on (site, alertId, occurrence, eventSeq). Returns the number of new events. */
  applyEdgeEvents(events: readonly AlertEvent[]): Promise<number>;
  list(scope: Scope, filter: AlertFilter, page: PageRequest): Promise<Page<Alert>>;
  get(scope: Scope, id: string): Promise<Alert | null>;
  events(scope: Scope, id: string, page: PageRequest): Promise<Page<AlertEventView>>;
  counts(scope: Scope, filter: Pick<AlertFilter, 'siteId' | 'assetId'>): Promise<AlertCounts>;
  /** An operator action: the new state here and the message for the edge that owns the alarm. */
  act(actor: Actor, scope: Scope, id: string, action: OperatorAction, input: { readonly comment?: string | undefined; readonly shelvedUntil?: number | undefined }): Promise<{ readonly alert: Alert; readonly downlink: AlertAction }>;
  comment(actor: Actor, scope: Scope, id: string, text: string): Promise<AlertEventView>;
  /** Alerts changed at or after `since`, any tenant, oldest change first (for live streams). */
  changedSince(since: number, limit: number): Promise<AlertChangeRow[]>;
}

const parseValue = (v: string | null): number | boolean | null => {
  if (v === null) return null;
  const parsed = JSON.parse(v) as unknown;
  return typeof parsed === 'number' || typeof parsed === 'boolean' ? parsed : null;
};

/** NaN and infinities have no JSON form; they are kept as null. */
const jsonValue = (v: AlertEvent['value']): string | null => (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v)) ? null : JSON.stringify(v));

export const toAlert = (r: AlertsTable): Alert => ({
  id: r.id,
  siteId: r.site_id,
  alertKey: r.alert_key,
  occurrence: r.occurrence,
  ruleId: r.rule_id,
  tag: r.tag,
  assetId: r.asset_id,
  severity: r.severity as Severity,
  state: r.state as AlarmState,
  active: r.active === 1,
  message: r.message,
  value: parseValue(r.value),
  raisedAt: Number(r.raised_at),
  clearedAt: r.cleared_at === null ? null : Number(r.cleared_at),
  ackedAt: r.acked_at === null ? null : Number(r.acked_at),
  ackedBy: r.acked_by,
  shelvedUntil: r.shelved_until === null ? null : Number(r.shelved_until),
  lastEventAt: Number(r.last_event_at),
  updatedAt: Number(r.updated_at),
  revision: r.revision,
  workOrderId: r.work_order_id,
});

const toEvent = (r: AlertEventsTable): AlertEventView => ({
  id: r.id,
  kind: r.kind,
  state: r.state as AlarmState,
  ts: Number(r.ts),
  eventSeq: r.event_seq === null ? null : Number(r.event_seq),
  source: r.source as 'edge' | 'cloud',
  actor: r.actor,
  comment: r.comment,
  message: r.message,
  value: parseValue(r.value),
  shelvedUntil: r.shelved_until === null ? null : Number(r.shelved_until),
  recordedAt: Number(r.recorded_at),
});

const change = (r: AlertsTable): RegistryChange => ({ type: 'alert', tenantId: r.tenant_id, siteId: r.site_id, assetId: r.asset_id, id: r.id, revision: r.revision });

export function createAlertStore(ctx: RegistryContext, audit: AuditWriter, autoOpen: AutoOpenHook): AlertStore {
  const scoped = (db: Db | Trx, scope: Scope) => {
    let q = db.selectFrom('alerts').selectAll().where('tenant_id', '=', scope.tenantId);
    if (scope.sites !== null) q = q.where(inSites('site_id', scope.sites));
    return q;
  };
  const requireRow = async (db: Db | Trx, scope: Scope, id: string) => {
    const r = await scoped(db, scope).where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('alert', id);
    return r;
  };

  const resolveAsset = async (trx: Trx, siteId: string, e: AlertEvent): Promise<{ id: string; kind: string } | null> => {
    if (e.tag !== undefined) {
      const bound = await trx
        .selectFrom('asset_tags')
        .innerJoin('assets', 'assets.id', 'asset_tags.asset_id')
        .select(['assets.id', 'assets.kind'])
        .where('asset_tags.site_id', '=', siteId)
        .where('asset_tags.tag', '=', e.tag)
        .executeTakeFirst();
      if (bound) return bound;
    }
    if (e.asset !== undefined) {
      const a = await trx.selectFrom('assets').select(['id', 'kind']).where('site_id', '=', siteId).where('id', '=', e.asset).executeTakeFirst();
      if (a) return a;
    }
    return null;
  };

  const applyOne = async (trx: Trx, tenantId: string, raw: AlertEvent, changed: Map<string, AlertsTable>): Promise<boolean> => {
    const e: AlertEvent = { ...raw, message: storable(raw.message), actor: storable(raw.actor), comment: storable(raw.comment), tag: storable(raw.tag), asset: storable(raw.asset) };
    const now = ctx.clock.now();
    let alert = await trx.selectFrom('alerts').selectAll().where('site_id', '=', e.site).where('alert_key', '=', e.alertId).where('occurrence', '=', e.occurrence).executeTakeFirst();
    let assetKind: string | null = null;
    if (!alert) {
      const asset = await resolveAsset(trx, e.site, e);
      assetKind = asset?.kind ?? null;
      const fresh: AlertsTable = {
        id: ctx.newId(),
        tenant_id: tenantId,
        site_id: e.site,
        alert_key: e.alertId,
        occurrence: e.occurrence,
        rule_id: e.ruleId,
        tag: e.tag ?? null,
        asset_id: asset?.id ?? null,
        severity: e.severity,
        state: e.state,
        active: activeAfter(e.kind, e.state, false) ? 1 : 0,
        message: e.message,
        value: jsonValue(e.value),
        raised_at: e.ts,
        cleared_at: null,
        acked_at: null,
        acked_by: null,
        shelved_until: null,
        last_event_seq: null,
        last_event_at: e.ts,
        revision: 0,
        updated_at: now,
        work_order_id: null,
      };
      await trx.insertInto('alerts').values(fresh).onConflict((oc) => oc.columns(['site_id', 'alert_key', 'occurrence']).doNothing()).execute();
      alert = await trx.selectFrom('alerts').selectAll().where('site_id', '=', e.site).where('alert_key', '=', e.alertId).where('occurrence', '=', e.occurrence).executeTakeFirstOrThrow();
    }
    const inserted = await trx
      .insertInto('alert_events')
      .values({
        id: ctx.newId(),
        tenant_id: tenantId,
        site_id: e.site,
        alert_id: alert.id,
        alert_key: e.alertId,
        occurrence: e.occurrence,
        event_seq: e.eventSeq,
        kind: e.kind,
        state: e.state,
        ts: e.ts,
        actor: e.actor ?? null,
        comment: e.comment ?? null,
        value: jsonValue(e.value),
        message: e.message,
        shelved_until: e.shelvedUntil ?? null,
        source: 'edge',
        recorded_at: now,
      })
      .onConflict((oc) => oc.columns(['site_id', 'alert_key', 'occurrence', 'event_seq']).doNothing())
      .executeTakeFirst();
    if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) return false;
    // A late event (lower seq than one applied) is history only: it must not roll the state back.
    const newer = alert.last_event_seq === null || e.eventSeq > Number(alert.last_event_seq);
    let next: AlertsTable = alert;
    if (newer) {
      next = {
        ...alert,
        state: e.state,
        severity: e.severity,
        active: activeAfter(e.kind, e.state, alert.active === 1) ? 1 : 0,
        message: e.kind === 'raised' ? e.message : alert.message,
        value: e.kind === 'raised' && e.value !== undefined ? jsonValue(e.value) : alert.value,
        cleared_at: e.kind === 'cleared' ? e.ts : alert.cleared_at,
        acked_at: e.kind === 'acknowledged' ? e.ts : alert.acked_at,
        acked_by: e.kind === 'acknowledged' ? (e.actor ?? 'edge') : alert.acked_by,
        shelved_until: e.state === 'shelved' ? (e.shelvedUntil ?? alert.shelved_until) : null,
        last_event_seq: e.eventSeq,
        last_event_at: e.ts,
        revision: alert.revision + 1,
        updated_at: now,
      };
    }
    if (e.kind === 'raised' && next.work_order_id === null) {
      if (assetKind === null && next.asset_id !== null) {
        assetKind = (await trx.selectFrom('assets').select('kind').where('id', '=', next.asset_id).executeTakeFirst())?.kind ?? null;
      }
      const wo = await autoOpen(trx, next, assetKind);
      if (wo !== null) next = { ...next, work_order_id: wo, revision: next.revision + (next === alert ? 1 : 0), updated_at: now };
    }
    if (next !== alert) {
      const { id: _id, tenant_id: _t, site_id: _s, alert_key: _k, occurrence: _o, ...set } = next;
      await trx.updateTable('alerts').set(set).where('id', '=', alert.id).execute();
      changed.set(next.id, next);
    }
    return true;
  };

  const act: AlertStore['act'] = async (actor, scope, id, action, input) => {
    const changed = await ctx.db.transaction().execute(async (trx) => {
      const before = await requireRow(trx, scope, id);
      const outcome = applyOperatorAction({ state: before.state as AlarmState, active: before.active === 1, acked: before.acked_at !== null }, action);
      if (!outcome.ok) throw new RegistryError('DCMMS_ALERT_ACTION_NOT_ALLOWED', outcome.reason, { details: { state: before.state, action } });
      const now = ctx.clock.now();
      const after: AlertsTable = {
        ...before,
        state: outcome.state,
        acked_at: action === 'acknowledge' ? now : before.acked_at,
        acked_by: action === 'acknowledge' ? actor.name : before.acked_by,
        shelved_until: action === 'shelve' ? (input.shelvedUntil ?? null) : action === 'unshelve' ? null : before.shelved_until,
        revision: before.revision + 1,
        updated_at: now,
      };
      await trx
        .updateTable('alerts')
        .set({ state: after.state, acked_at: after.acked_at, acked_by: after.acked_by, shelved_until: after.shelved_until, revision: after.revision, updated_at: now })
        .where('id', '=', id)
        .execute();
      const kind = action === 'acknowledge' ? 'acknowledged' : action === 'shelve' ? 'shelved' : 'unshelved';
      await trx
        .insertInto('alert_events')
        .values({
          id: ctx.newId(), tenant_id: before.tenant_id, site_id: before.site_id, alert_id: id, alert_key: before.alert_key, occurrence: before.occurrence, event_seq: null,
          kind, state: after.state, ts: now, actor: actor.name, comment: input.comment ?? null, value: null, message: null, shelved_until: after.shelved_until, source: 'cloud', recorded_at: now,
        })
        .execute();
      await audit(trx, actor, { action: `alert.${action}`, entityType: 'alert', entityId: id, siteId: before.site_id, before: toAlert(before), after: { ...toAlert(after), comment: input.comment ?? null } });
      return after;
    });
    ctx.changes.emit(change(changed));
    const downlink: AlertAction = {
      site: changed.site_id,
      alertId: changed.alert_key,
      occurrence: changed.occurrence,
      action,
      actor: actor.name,
      ts: changed.updated_at,
      ...(input.comment !== undefined ? { comment: input.comment } : {}),
      ...(action === 'shelve' && input.shelvedUntil !== undefined ? { shelvedUntil: input.shelvedUntil } : {}),
    };
    return { alert: toAlert(changed), downlink };
  };

  return {
    async applyEdgeEvents(events) {
      if (events.length === 0) return 0;
      const bySite = new Map<string, AlertEvent[]>();
      for (const e of events) {
        const list = bySite.get(e.site) ?? [];
        list.push(e);
        bySite.set(e.site, list);
      }
      let applied = 0;
      const changed = new Map<string, AlertsTable>();
      await ctx.db.transaction().execute(async (trx) => {
        for (const [siteId, list] of bySite) {
          const site = await trx.selectFrom('sites').select('tenant_id').where('id', '=', siteId).executeTakeFirst();
          if (!site) {
            ctx.log.warn({ site: siteId, events: list.length }, 'alert events for a site the registry does not know: ignored');
            continue;
          }
          for (const e of [...list].sort((a, b) => a.eventSeq - b.eventSeq)) {
            if (await applyOne(trx, site.tenant_id, e, changed)) applied += 1;
          }
        }
      });
      for (const r of changed.values()) ctx.changes.emit(change(r));
      return applied;
    },
    async list(scope, filter, page) {
      if (filter.siteId !== undefined && !siteVisible(scope, filter.siteId)) return { items: [], nextCursor: null };
      let q = scoped(ctx.db, scope);
      if (filter.siteId !== undefined) q = q.where('site_id', '=', filter.siteId);
      if (filter.assetId !== undefined) q = q.where('asset_id', '=', filter.assetId);
      if (filter.severity?.length) q = q.where('severity', 'in', [...filter.severity]);
      if (filter.state?.length) q = q.where('state', 'in', [...filter.state]);
      if (filter.active !== undefined) q = q.where('active', '=', filter.active ? 1 : 0);
      if (filter.from !== undefined) q = q.where('raised_at', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('raised_at', '<', filter.to);
      if (page.cursor !== undefined) q = q.where(afterDesc('raised_at', 'id', decodeCursor('alerts', page.cursor, 'number+id')));
      const rows = await q.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toAlert, (r) => [Number(r.raised_at), r.id], 'alerts');
    },
    async get(scope, id) {
      const r = await scoped(ctx.db, scope).where('id', '=', id).executeTakeFirst();
      return r ? toAlert(r) : null;
    },
    async events(scope, id, page) {
      await requireRow(ctx.db, scope, id);
      let q = ctx.db.selectFrom('alert_events').selectAll().where('alert_id', '=', id);
      if (page.cursor !== undefined) q = q.where('id', '<', decodeCursor('alert_events', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toEvent, (r) => [r.id], 'alert_events');
    },
    async counts(scope, filter) {
      const zero = filter.siteId !== undefined && !siteVisible(scope, filter.siteId);
      let q = ctx.db.selectFrom('alerts').select(['state', 'severity', 'active']).select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', scope.tenantId);
      if (scope.sites !== null) q = q.where(inSites('site_id', scope.sites));
      if (filter.siteId !== undefined) q = q.where('site_id', '=', filter.siteId);
      if (filter.assetId !== undefined) q = q.where('asset_id', '=', filter.assetId);
      const rows = zero ? [] : await q.groupBy(['state', 'severity', 'active']).execute();
      const byState: Record<AlarmState, number> = { normal: 0, unacked_active: 0, acked_active: 0, unacked_rtn: 0, shelved: 0, out_of_service: 0 };
      const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
      let total = 0;
      let activeUnacked = 0;
      for (const r of rows) {
        const n = Number(r.n);
        total += n;
        if (r.state in byState) byState[r.state as AlarmState] += n;
        if (r.severity in bySeverity) bySeverity[r.severity as Severity] += n;
        if (r.state === 'unacked_active') activeUnacked += n;
      }
      return { total, byState, bySeverity, activeUnacked };
    },
    act,
    async comment(actor, scope, id, text) {
      return ctx.db.transaction().execute(async (trx) => {
        const a = await requireRow(trx, scope, id);
        const now = ctx.clock.now();
        const row: AlertEventsTable = {
          id: ctx.newId(), tenant_id: a.tenant_id, site_id: a.site_id, alert_id: id, alert_key: a.alert_key, occurrence: a.occurrence, event_seq: null,
          kind: 'comment', state: a.state, ts: now, actor: actor.name, comment: text, value: null, message: null, shelved_until: null, source: 'cloud', recorded_at: now,
        };
        await trx.insertInto('alert_events').values(row).execute();
        await audit(trx, actor, { action: 'alert.comment', entityType: 'alert', entityId: id, siteId: a.site_id, after: { comment: text } });
        return toEvent(row);
      });
    },
    async changedSince(since, limit) {
      const rows = await ctx.db
        .selectFrom('alerts')
        .select(['id', 'tenant_id', 'site_id', 'asset_id', 'revision', 'updated_at'])
        .where('updated_at', '>=', since)
        .orderBy('updated_at', 'asc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, siteId: r.site_id, assetId: r.asset_id, revision: r.revision, updatedAt: Number(r.updated_at) }));
    },
  };
}
