import type { Severity } from '@dcmms/shared';
import { SEVERITY_RANK } from './alert-state.js';
import type { AuditWriter } from './audit.js';
import { inSites, requireSite, siteVisible, type Actor, type Db, type RegistryContext, type Scope, type Trx } from './context.js';
import { notFound, RegistryError, staleVersion } from './errors.js';
import { containsText, decodeCursor, toPage, type Page, type PageRequest } from './page.js';
import { parseSiteScope } from './roles.js';
import { isForeignKeyViolation } from './sql-errors.js';
import {
  allowedTransitions,
  applyTransition,
  formatWorkOrderNumber,
  isOpenState,
  labourCostCents,
  type WoPriority,
  type WoState,
  type WoTransitionName,
  type WoType,
} from './workorder-machine.js';
import type { AlertsTable } from '../db/tables/alerts.js';
import type { WoEventsTable, WoLabourTable, WoPartsTable, WoRulesTable, WoTasksTable, WorkOrdersTable } from '../db/tables/workorders.js';

export interface WorkOrder {
  readonly id: string;
  readonly number: string;
  readonly siteId: string;
  readonly assetId: string | null;
  readonly alertId: string | null;
  readonly ruleId: string | null;
  readonly title: string;
  readonly description: string;
  readonly type: WoType;
  readonly priority: WoPriority;
  readonly state: WoState;
  readonly resolution: string | null;
  readonly assigneeId: string | null;
  readonly dueAt: number | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
  readonly allowedTransitions: WoTransitionName[];
}

export interface WoTask {
  readonly id: string;
  readonly position: number;
  readonly title: string;
  readonly done: boolean;
  readonly doneBy: string | null;
  readonly doneAt: number | null;
}

export interface WoPart {
  readonly id: string;
  readonly partNumber: string;
  readonly description: string;
  readonly quantity: number;
  readonly unitCostCents: number;
  readonly costCents: number;
  readonly createdAt: number;
}

export interface WoLabour {
  readonly id: string;
  readonly technician: string;
  readonly minutes: number;
  readonly rateCentsPerHour: number;
  readonly costCents: number;
  readonly note: string;
  readonly performedAt: number;
}

export interface WorkOrderDetail extends WorkOrder {
  readonly tasks: WoTask[];
  readonly parts: WoPart[];
  readonly labour: WoLabour[];
  readonly costs: { readonly partsCents: number; readonly labourCents: number; readonly totalCents: number };
}

export interface WoEvent {
  readonly id: string;
  readonly at: number;
  readonly actor: { readonly id: string; readonly name: string };
  readonly kind: string;
  readonly fromState: WoState | null;
  readonly toState: WoState | null;
  readonly data: Record<string, unknown>;
}

export interface NewWorkOrder {
  readonly siteId: string;
  readonly assetId?: string | null | undefined;
  readonly alertId?: string | null | undefined;
  readonly title: string;
  readonly description?: string | undefined;
  readonly type: WoType;
  readonly priority: WoPriority;
  readonly assigneeId?: string | null | undefined;
  readonly dueAt?: number | null | undefined;
  readonly tasks?: readonly string[] | undefined;
  /** Create it open (submitted) rather than as a draft. */
  readonly submit?: boolean | undefined;
}

export interface WorkOrderPatch {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly type?: WoType | undefined;
  readonly priority?: WoPriority | undefined;
  readonly dueAt?: number | null | undefined;
  readonly assetId?: string | null | undefined;
}

export interface WorkOrderFilter {
  readonly siteId?: string | undefined;
  readonly assetId?: string | undefined;
  readonly state?: readonly WoState[] | undefined;
  readonly type?: readonly WoType[] | undefined;
  readonly priority?: readonly WoPriority[] | undefined;
  readonly assigneeId?: string | undefined;
  readonly q?: string | undefined;
  readonly dueBefore?: number | undefined;
}

export interface WoRule {
  readonly id: string;
  readonly name: string;
  readonly siteId: string | null;
  readonly assetKind: string | null;
  readonly alertRuleId: string | null;
  readonly minSeverity: Severity;
  readonly woType: WoType;
  readonly woPriority: WoPriority;
  readonly enabled: boolean;
  readonly createdAt: number;
}

export type NewWoRule = Omit<WoRule, 'id' | 'createdAt'>;

export interface WorkOrderStore {
  create(actor: Actor, scope: Scope, input: NewWorkOrder): Promise<WorkOrderDetail>;
  get(scope: Scope, id: string): Promise<WorkOrderDetail | null>;
  list(scope: Scope, filter: WorkOrderFilter, page: PageRequest): Promise<Page<WorkOrder>>;
  update(actor: Actor, scope: Scope, id: string, patch: WorkOrderPatch, expectedVersion: number): Promise<WorkOrderDetail>;
  transition(actor: Actor, scope: Scope, id: string, name: WoTransitionName, input: { readonly assigneeId?: string | undefined; readonly comment?: string | undefined }, expectedVersion: number): Promise<WorkOrderDetail>;
  addTask(actor: Actor, scope: Scope, id: string, title: string): Promise<WoTask>;
  updateTask(actor: Actor, scope: Scope, id: string, taskId: string, patch: { readonly title?: string | undefined; readonly done?: boolean | undefined }): Promise<WoTask>;
  deleteTask(actor: Actor, scope: Scope, id: string, taskId: string): Promise<void>;
  addPart(actor: Actor, scope: Scope, id: string, input: { readonly partNumber: string; readonly description?: string | undefined; readonly quantity: number; readonly unitCostCents: number }): Promise<WoPart>;
  deletePart(actor: Actor, scope: Scope, id: string, partId: string): Promise<void>;
  addLabour(actor: Actor, scope: Scope, id: string, input: { readonly technician: string; readonly minutes: number; readonly rateCentsPerHour: number; readonly note?: string | undefined; readonly performedAt?: number | undefined }): Promise<WoLabour>;
  deleteLabour(actor: Actor, scope: Scope, id: string, labourId: string): Promise<void>;
  comment(actor: Actor, scope: Scope, id: string, text: string): Promise<WoEvent>;
  history(scope: Scope, id: string, page: PageRequest): Promise<Page<WoEvent>>;
  /** The alert intake's hook: opens a work order for a raised alert when a rule says so. */
  autoOpen(trx: Trx, alert: AlertsTable, assetKind: string | null): Promise<string | null>;
  rules: {
    list(scope: Scope, page: PageRequest): Promise<Page<WoRule>>;
    create(actor: Actor, scope: Scope, input: NewWoRule): Promise<WoRule>;
    update(actor: Actor, scope: Scope, id: string, patch: Partial<NewWoRule>): Promise<WoRule>;
    delete(actor: Actor, scope: Scope, id: string): Promise<void>;
  };
}

export const toWorkOrder = (r: WorkOrdersTable): WorkOrder => ({
  id: r.id,
  number: r.number,
  siteId: r.site_id,
  assetId: r.asset_id,
  alertId: r.alert_id,
  ruleId: r.rule_id,
  title: r.title,
  description: r.description,
  type: r.type as WoType,
  priority: r.priority as WoPriority,
  state: r.state as WoState,
  resolution: r.resolution,
  assigneeId: r.assignee_id,
  dueAt: r.due_at === null ? null : Number(r.due_at),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  version: r.version,
  allowedTransitions: allowedTransitions(r.state as WoState),
});
const toTask = (r: WoTasksTable): WoTask => ({ id: r.id, position: r.position, title: r.title, done: r.done === 1, doneBy: r.done_by, doneAt: r.done_at === null ? null : Number(r.done_at) });
const toPart = (r: WoPartsTable): WoPart => ({
  id: r.id,
  partNumber: r.part_number,
  description: r.description,
  quantity: r.quantity,
  unitCostCents: Number(r.unit_cost_cents),
  costCents: r.quantity * Number(r.unit_cost_cents),
  createdAt: Number(r.created_at),
});
const toLabour = (r: WoLabourTable): WoLabour => ({
  id: r.id,
  technician: r.technician,
  minutes: r.minutes,
  rateCentsPerHour: Number(r.rate_cents_per_hour),
  costCents: labourCostCents(r.minutes, Number(r.rate_cents_per_hour)),
  note: r.note,
  performedAt: Number(r.performed_at),
});
const toEvent = (r: WoEventsTable): WoEvent => ({
  id: r.id,
  at: Number(r.at),
  actor: { id: r.actor_id, name: r.actor_name },
  kind: r.kind,
  fromState: r.from_state as WoState | null,
  toState: r.to_state as WoState | null,
  data: JSON.parse(r.data) as Record<string, unknown>,
});
const toRule = (r: WoRulesTable): WoRule => ({
  id: r.id,
  name: r.name,
  siteId: r.site_id,
  assetKind: r.asset_kind,
  alertRuleId: r.alert_rule_id,
  minSeverity: r.min_severity as Severity,
  woType: r.wo_type as WoType,
  woPriority: r.wo_priority as WoPriority,
  enabled: r.enabled === 1,
  createdAt: Number(r.created_at),
});

const PRIORITY_OF_SEVERITY: Readonly<Record<string, WoPriority>> = { critical: 'urgent', high: 'high', medium: 'medium', low: 'low' };

export function createWorkOrderStore(ctx: RegistryContext, audit: AuditWriter): WorkOrderStore {
  const scoped = (db: Db | Trx, scope: Scope) => {
    let q = db.selectFrom('work_orders').selectAll().where('tenant_id', '=', scope.tenantId);
    if (scope.sites !== null) q = q.where(inSites('site_id', scope.sites));
    return q;
  };
  const requireRow = async (db: Db | Trx, scope: Scope, id: string) => {
    const r = await scoped(db, scope).where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('work order', id);
    return r;
  };
  const requireEditable = async (db: Db | Trx, scope: Scope, id: string) => {
    const r = await requireRow(db, scope, id);
    if (r.state === 'closed') throw new RegistryError('DCMMS_WO_CLOSED', `work order ${r.number} is closed`, { details: { state: r.state } });
    return r;
  };
  const event = async (db: Db | Trx, actor: Actor, wo: WorkOrdersTable, kind: string, data: Record<string, unknown>, from: string | null = null, to: string | null = null): Promise<WoEventsTable> => {
    const row: WoEventsTable = { id: ctx.newId(), tenant_id: wo.tenant_id, work_order_id: wo.id, at: ctx.clock.now(), actor_id: actor.id, actor_name: actor.name, kind, from_state: from, to_state: to, data: JSON.stringify(data) };
    await db.insertInto('wo_events').values(row).execute();
    return row;
  };
  const nextNumber = async (trx: Db | Trx, tenantId: string): Promise<string> => {
    const year = new Date(ctx.clock.now()).getUTCFullYear();
    const r = await trx
      .insertInto('wo_counters')
      .values({ tenant_id: tenantId, year, value: 1 })
      .onConflict((oc) => oc.columns(['tenant_id', 'year']).doUpdateSet((eb) => ({ value: eb('wo_counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return formatWorkOrderNumber(year, r.value);
  };
  const checkAsset = async (db: Db | Trx, tenantId: string, siteId: string, assetId: string | null | undefined) => {
    if (!assetId) return;
    const a = await db.selectFrom('assets').select('id').where('tenant_id', '=', tenantId).where('site_id', '=', siteId).where('id', '=', assetId).executeTakeFirst();
    if (!a) throw new RegistryError('DCMMS_REGISTRY_REFERENCE_INVALID', `asset ${JSON.stringify(assetId)} not found in site ${JSON.stringify(siteId)}`, { details: { field: 'assetId' } });
  };
  const checkAssignee = async (db: Db | Trx, tenantId: string, siteId: string, userId: string | null | undefined) => {
    if (!userId) return;
    const u = await db.selectFrom('users').select(['id', 'disabled', 'site_scope']).where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
    const sites = u ? parseSiteScope(u.site_scope) : null;
    if (!u || u.disabled === 1 || (sites !== null && !sites.includes(siteId))) {
      throw new RegistryError('DCMMS_REGISTRY_REFERENCE_INVALID', `user ${JSON.stringify(userId)} cannot be assigned: unknown, disabled, or without access to site ${JSON.stringify(siteId)}`, { details: { field: 'assigneeId' } });
    }
  };
  const detail = async (db: Db | Trx, r: WorkOrdersTable): Promise<WorkOrderDetail> => {
    const [tasks, parts, labour] = await Promise.all([
      db.selectFrom('wo_tasks').selectAll().where('work_order_id', '=', r.id).orderBy('position').orderBy('id').execute(),
      db.selectFrom('wo_parts').selectAll().where('work_order_id', '=', r.id).orderBy('id').execute(),
      db.selectFrom('wo_labour').selectAll().where('work_order_id', '=', r.id).orderBy('id').execute(),
    ]);
    const p = parts.map(toPart);
    const l = labour.map(toLabour);
    const partsCents = p.reduce((s, x) => s + x.costCents, 0);
    const labourCents = l.reduce((s, x) => s + x.costCents, 0);
    return { ...toWorkOrder(r), tasks: tasks.map(toTask), parts: p, labour: l, costs: { partsCents, labourCents, totalCents: partsCents + labourCents } };
  };
  const insertTasks = async (trx: Trx, wo: WorkOrdersTable, titles: readonly string[], startAt: number): Promise<WoTasksTable[]> => {
    if (titles.length === 0) return [];
    const now = ctx.clock.now();
    const rows: WoTasksTable[] = titles.map((title, i) => ({ id: ctx.newId(), tenant_id: wo.tenant_id, work_order_id: wo.id, position: startAt + i, title, done: 0, done_by: null, done_at: null, created_at: now }));
    await trx.insertInto('wo_tasks').values(rows).execute();
    return rows;
  };
  const insertWorkOrder = async (trx: Trx, actor: Actor, row: Omit<WorkOrdersTable, 'number'>, tasks: readonly string[], created?: WoTasksTable[], number?: string): Promise<WorkOrdersTable | null> => {
    const full: WorkOrdersTable = { ...row, number: number ?? (await nextNumber(trx, row.tenant_id)) };
    // ON CONFLICT (not a caught error): on PostgreSQL a failed statement would abort the transaction.
    const res = await trx.insertInto('work_orders').values(full).onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing()).executeTakeFirst();
    if ((res.numInsertedOrUpdatedRows ?? 0n) === 0n) return null;
    created?.push(...(await insertTasks(trx, full, tasks, 1)));
    await event(trx, actor, full, 'created', { number: full.number, title: full.title, alertId: full.alert_id, ruleId: full.rule_id }, null, full.state);
    await audit(trx, actor, { action: 'workorder.create', entityType: 'work_order', entityId: full.id, siteId: full.site_id, after: toWorkOrder(full) });
    return full;
  };

  const store: WorkOrderStore = {
    async create(actor, scope, input) {
      await requireSite(ctx.db, scope, input.siteId);
      await checkAsset(ctx.db, scope.tenantId, input.siteId, input.assetId);
      await checkAssignee(ctx.db, scope.tenantId, input.siteId, input.assigneeId);
      if (input.alertId) {
        const a = await ctx.db.selectFrom('alerts').select('id').where('tenant_id', '=', scope.tenantId).where('site_id', '=', input.siteId).where('id', '=', input.alertId).executeTakeFirst();
        if (!a) throw new RegistryError('DCMMS_REGISTRY_REFERENCE_INVALID', `alert ${JSON.stringify(input.alertId)} not found in site ${JSON.stringify(input.siteId)}`, { details: { field: 'alertId' } });
      }
      // The number comes from its own short statement: inside the transaction the counter row
      // would stay locked until commit and every creation in the tenant would queue behind it.
      // A transaction that fails afterwards leaves a gap in the numbers, as sequences do.
      const number = await nextNumber(ctx.db, scope.tenantId);
      return ctx.db.transaction().execute(async (trx) => {
        // (A site or asset removed since the checks above fails the insert: see the catch below.)
        const now = ctx.clock.now();
        const tasks: WoTasksTable[] = [];
        const row = await insertWorkOrder(
          trx,
          actor,
          {
            id: ctx.newId(), tenant_id: scope.tenantId, site_id: input.siteId, asset_id: input.assetId ?? null, alert_id: input.alertId ?? null, rule_id: null, dedupe_key: null,
            title: input.title, description: input.description ?? '', type: input.type, priority: input.priority, state: input.submit ? 'open' : 'draft', resolution: null,
            assignee_id: input.assigneeId ?? null, due_at: input.dueAt ?? null, created_by: actor.name, created_at: now, updated_at: now, version: 1,
          },
          input.tasks ?? [],
          tasks,
          number,
        );
        if (input.alertId) await trx.updateTable('alerts').set((eb) => ({ work_order_id: row!.id, revision: eb('revision', '+', 1), updated_at: now })).where('id', '=', input.alertId).where('work_order_id', 'is', null).execute();
        // Just written: nothing to read back.
        return { ...toWorkOrder(row!), tasks: tasks.map(toTask), parts: [], labour: [], costs: { partsCents: 0, labourCents: 0, totalCents: 0 } };
      }).catch((err: unknown) => {
        if (isForeignKeyViolation(err)) throw new RegistryError('DCMMS_REGISTRY_REFERENCE_INVALID', 'the site or asset was removed meanwhile', { details: { field: 'siteId' } });
        throw err;
      });
    },
    async get(scope, id) {
      const r = await scoped(ctx.db, scope).where('id', '=', id).executeTakeFirst();
      return r ? detail(ctx.db, r) : null;
    },
    async list(scope, filter, page) {
      if (filter.siteId !== undefined && !siteVisible(scope, filter.siteId)) return { items: [], nextCursor: null };
      let q = scoped(ctx.db, scope);
      if (filter.siteId !== undefined) q = q.where('site_id', '=', filter.siteId);
      if (filter.assetId !== undefined) q = q.where('asset_id', '=', filter.assetId);
      if (filter.state?.length) q = q.where('state', 'in', [...filter.state]);
      if (filter.type?.length) q = q.where('type', 'in', [...filter.type]);
      if (filter.priority?.length) q = q.where('priority', 'in', [...filter.priority]);
      if (filter.assigneeId !== undefined) q = q.where('assignee_id', '=', filter.assigneeId);
      if (filter.dueBefore !== undefined) q = q.where('due_at', '<', filter.dueBefore);
      if (filter.q !== undefined) {
        const text = filter.q;
        q = q.where((eb) => eb.or([containsText('title', text), containsText('number', text), containsText('description', text)]));
      }
      if (page.cursor !== undefined) q = q.where('id', '<', decodeCursor('work_orders', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toWorkOrder, (r) => [r.id], 'work_orders');
    },
    async update(actor, scope, id, patch, expectedVersion) {
      return ctx.db.transaction().execute(async (trx) => {
        const before = await requireEditable(trx, scope, id);
        if (before.version !== expectedVersion) throw staleVersion('work order', id, expectedVersion, before.version);
        if (patch.assetId !== undefined) await checkAsset(trx, scope.tenantId, before.site_id, patch.assetId);
        const after: WorkOrdersTable = {
          ...before,
          title: patch.title ?? before.title,
          description: patch.description ?? before.description,
          type: patch.type ?? before.type,
          priority: patch.priority ?? before.priority,
          due_at: patch.dueAt === undefined ? before.due_at : patch.dueAt,
          asset_id: patch.assetId === undefined ? before.asset_id : patch.assetId,
          updated_at: ctx.clock.now(),
          version: before.version + 1,
        };
        const res = await trx
          .updateTable('work_orders')
          .set({ title: after.title, description: after.description, type: after.type, priority: after.priority, due_at: after.due_at, asset_id: after.asset_id, updated_at: after.updated_at, version: after.version })
          .where('id', '=', id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        if (res.numUpdatedRows !== 1n) throw staleVersion('work order', id, expectedVersion, null);
        const changed = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
        await event(trx, actor, after, 'updated', { changes: changed });
        await audit(trx, actor, { action: 'workorder.update', entityType: 'work_order', entityId: id, siteId: before.site_id, before: toWorkOrder(before), after: toWorkOrder(after) });
        return detail(trx, after);
      });
    },
    async transition(actor, scope, id, name, input, expectedVersion) {
      return ctx.db.transaction().execute(async (trx) => {
        const before = await requireRow(trx, scope, id);
        // Version first: a client acting on a stale view learns that, not a confusing state error.
        if (before.version !== expectedVersion) throw staleVersion('work order', id, expectedVersion, before.version);
        const outcome = applyTransition(before.state as WoState, name);
        if (!outcome.ok) {
          throw new RegistryError('DCMMS_WO_TRANSITION_NOT_ALLOWED', `a work order in state ${before.state} cannot ${name}; allowed: ${outcome.allowed.join(', ') || 'none'}`, {
            details: { state: before.state, transition: name, allowed: outcome.allowed },
          });
        }
        let assignee = before.assignee_id;
        if (name === 'assign') {
          if (!input.assigneeId) throw new RegistryError('DCMMS_REGISTRY_REFERENCE_INVALID', 'assign needs an assigneeId', { details: { field: 'assigneeId' } });
          await checkAssignee(trx, scope.tenantId, before.site_id, input.assigneeId);
          assignee = input.assigneeId;
        }
        const after: WorkOrdersTable = {
          ...before,
          state: outcome.to,
          resolution: outcome.to === 'closed' ? outcome.resolution : null,
          assignee_id: assignee,
          // Once done, the rule that opened it may open another for the same asset.
          dedupe_key: isOpenState(outcome.to) ? before.dedupe_key : null,
          updated_at: ctx.clock.now(),
          version: before.version + 1,
        };
        const res = await trx
          .updateTable('work_orders')
          .set({ state: after.state, resolution: after.resolution, assignee_id: after.assignee_id, dedupe_key: after.dedupe_key, updated_at: after.updated_at, version: after.version })
          .where('id', '=', id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        if (res.numUpdatedRows !== 1n) throw staleVersion('work order', id, expectedVersion, null);
        await event(trx, actor, after, 'transition', { transition: name, ...(name === 'assign' ? { assigneeId: assignee } : {}), ...(input.comment ? { comment: input.comment } : {}) }, before.state, after.state);
        await audit(trx, actor, { action: `workorder.${name}`, entityType: 'work_order', entityId: id, siteId: before.site_id, before: toWorkOrder(before), after: toWorkOrder(after) });
        return detail(trx, after);
      });
    },
    async addTask(actor, scope, id, title) {
      return ctx.db.transaction().execute(async (trx) => {
        const wo = await requireEditable(trx, scope, id);
        const last = await trx.selectFrom('wo_tasks').select((eb) => eb.fn.max('position').as('p')).where('work_order_id', '=', id).executeTakeFirst();
        await insertTasks(trx, wo, [title], Number(last?.p ?? 0) + 1);
        const task = await trx.selectFrom('wo_tasks').selectAll().where('work_order_id', '=', id).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
        await event(trx, actor, wo, 'task_added', { taskId: task.id, title });
        await audit(trx, actor, { action: 'workorder.task.add', entityType: 'work_order', entityId: id, siteId: wo.site_id, after: toTask(task) });
        return toTask(task);
      });
    },
    async updateTask(actor, scope, id, taskId, patch) {
      return ctx.db.transaction().execute(async (trx) => {
        const wo = await requireEditable(trx, scope, id);
        const before = await trx.selectFrom('wo_tasks').selectAll().where('work_order_id', '=', id).where('id', '=', taskId).executeTakeFirst();
        if (!before) throw notFound('task', taskId);
        const now = ctx.clock.now();
        const done = patch.done === undefined ? before.done : patch.done ? 1 : 0;
        const after: WoTasksTable = {
          ...before,
          title: patch.title ?? before.title,
          done,
          done_by: done === before.done ? before.done_by : done === 1 ? actor.name : null,
          done_at: done === before.done ? before.done_at : done === 1 ? now : null,
        };
        await trx.updateTable('wo_tasks').set({ title: after.title, done: after.done, done_by: after.done_by, done_at: after.done_at }).where('id', '=', taskId).execute();
        await event(trx, actor, wo, done !== before.done ? (done === 1 ? 'task_done' : 'task_undone') : 'task_updated', { taskId, title: after.title });
        await audit(trx, actor, { action: 'workorder.task.update', entityType: 'work_order', entityId: id, siteId: wo.site_id, before: toTask(before), after: toTask(after) });
        return toTask(after);
      });
    },
    async deleteTask(actor, scope, id, taskId) {
      await ctx.db.transaction().execute(async (trx) => {
        const wo = await requireEditable(trx, scope, id);
        const before = await trx.selectFrom('wo_tasks').selectAll().where('work_order_id', '=', id).where('id', '=', taskId).executeTakeFirst();
        if (!before) throw notFound('task', taskId);
        await trx.deleteFrom('wo_tasks').where('id', '=', taskId).execute();
        await event(trx, actor, wo, 'task_removed', { taskId, title: before.title });
        await audit(trx, actor, { action: 'workorder.task.delete', entityType: 'work_order', entityId: id, siteId: wo.site_id, before: toTask(before) });
      });
    },
    async addPart(actor, scope, id, input) {
      return ctx.db.transaction().execute(async (trx) => {
        const wo = await requireEditable(trx, scope, id);
        const row: WoPartsTable = { id: ctx.newId(), tenant_id: wo.tenant_id, work_order_id: id, part_number: input.partNumber, description: input.description ?? '', quantity: input.quantity, unit_cost_cents: input.unitCostCents, created_by: actor.name, created_at: ctx.clock.now() };
        await trx.insertInto('wo_parts').values(row).execute();
        await event(trx, actor, wo, 'part_added', { partId: row.id, partNumber: row.part_number, quantity: row.quantity, costCents: toPart(row).costCents });
        await audit(trx, actor, { action: 'workorder.part.add', entityType: 'work_order', entityId: id, siteId: wo.site_id, after: toPart(row) });
        return toPart(row);
      });
    },
    async deletePart(actor, scope, id, partId) {
      await ctx.db.transaction().execute(async (trx) => {
        const wo = await requireEditable(trx, scope, id);
        const before = await trx.selectFrom('wo_parts').selectAll().where('work_order_id', '=', id).where('id', '=', partId).executeTakeFirst();
        if (!before) throw notFound('part', partId);
        await trx.deleteFrom('wo_parts').where('id', '=', partId).execute();
        await event(trx, actor, wo, 'part_removed', { partId, partNumber: before.part_number });
        await audit(trx, actor, { action: 'workorder.part.delete', entityType: 'work_order', entityId: id, siteId: wo.site_id, before: toPart(before) });
      });
    },
    async addLabour(actor, scope, id, input) {
      return ctx.db.transaction().execute(async (trx) => {
        const wo = await requireEditable(trx, scope, id);
        const now = ctx.clock.now();
        const row: WoLabourTable = { id: ctx.newId(), tenant_id: wo.tenant_id, work_order_id: id, technician: input.technician, minutes: input.minutes, rate_cents_per_hour: input.rateCentsPerHour, note: input.note ?? '', performed_at: input.performedAt ?? now, created_by: actor.name, created_at: now };
        await trx.insertInto('wo_labour').values(row).execute();
        await event(trx, actor, wo, 'labour_added', { labourId: row.id, technician: row.technician, minutes: row.minutes, costCents: toLabour(row).costCents });
        await audit(trx, actor, { action: 'workorder.labour.add', entityType: 'work_order', entityId: id, siteId: wo.site_id, after: toLabour(row) });
        return toLabour(row);
      });
    },
    async deleteLabour(actor, scope, id, labourId) {
      await ctx.db.transaction().execute(async (trx) => {
        const wo = await requireEditable(trx, scope, id);
        const before = await trx.selectFrom('wo_labour').selectAll().where('work_order_id', '=', id).where('id', '=', labourId).executeTakeFirst();
        if (!before) throw notFound('labour entry', labourId);
        await trx.deleteFrom('wo_labour').where('id', '=', labourId).execute();
        await event(trx, actor, wo, 'labour_removed', { labourId, technician: before.technician });
        await audit(trx, actor, { action: 'workorder.labour.delete', entityType: 'work_order', entityId: id, siteId: wo.site_id, before: toLabour(before) });
      });
    },
    async comment(actor, scope, id, text) {
      return ctx.db.transaction().execute(async (trx) => {
        // Comments stay possible on closed work orders: people discuss what happened afterwards.
        const wo = await requireRow(trx, scope, id);
        const row = await event(trx, actor, wo, 'comment', { text });
        await audit(trx, actor, { action: 'workorder.comment', entityType: 'work_order', entityId: id, siteId: wo.site_id, after: { text } });
        return toEvent(row);
      });
    },
    async history(scope, id, page) {
      await requireRow(ctx.db, scope, id);
      let q = ctx.db.selectFrom('wo_events').selectAll().where('work_order_id', '=', id);
      if (page.cursor !== undefined) q = q.where('id', '>', decodeCursor('wo_events', page.cursor, 'id')[0]);
      const rows = await q.orderBy('id', 'asc').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, toEvent, (r) => [r.id], 'wo_events');
    },
    async autoOpen(trx, alert, assetKind) {
      const rules = await trx.selectFrom('wo_rules').selectAll().where('tenant_id', '=', alert.tenant_id).where('enabled', '=', 1).orderBy('id').execute();
      const rank = SEVERITY_RANK[alert.severity] ?? 0;
      const rule = rules.find(
        (r) =>
          (r.site_id === null || r.site_id === alert.site_id) &&
          (r.alert_rule_id === null || r.alert_rule_id === alert.rule_id) &&
          (r.asset_kind === null || r.asset_kind === assetKind) &&
          rank >= (SEVERITY_RANK[r.min_severity] ?? 99),
      );
      if (!rule) return null;
      // One open work order per asset (or site, for an alert bound to no asset) and alert rule.
      const dedupeKey = `auto:${alert.asset_id ?? `site:${alert.site_id}`}:${alert.rule_id}`;
      const actor: Actor = { type: 'system', id: `rule:${rule.id}`, name: `rule ${rule.name}`, tenantId: alert.tenant_id };
      const open = await trx.selectFrom('work_orders').selectAll().where('tenant_id', '=', alert.tenant_id).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
      const now = ctx.clock.now();
      let wo = open ?? null;
      if (!wo) {
        wo = await insertWorkOrder(
          trx,
          actor,
          {
            id: ctx.newId(), tenant_id: alert.tenant_id, site_id: alert.site_id, asset_id: alert.asset_id, alert_id: alert.id, rule_id: rule.id, dedupe_key: dedupeKey,
            title: `[${alert.severity}] ${alert.message}`.slice(0, 200), description: `Opened by rule "${rule.name}" for alert ${alert.alert_key} (occurrence ${alert.occurrence}).`,
            type: rule.wo_type, priority: rule.wo_priority || PRIORITY_OF_SEVERITY[alert.severity] || 'high', state: 'open', resolution: null,
            assignee_id: null, due_at: null, created_by: actor.name, created_at: now, updated_at: now, version: 1,
          },
          [],
        );
        // Lost a race with another intake: the winner's work order is the one to link.
        wo ??= (await trx.selectFrom('work_orders').selectAll().where('tenant_id', '=', alert.tenant_id).where('dedupe_key', '=', dedupeKey).executeTakeFirst()) ?? null;
        if (!wo) return null;
      } else {
        await event(trx, actor, wo, 'alert_linked', { alertId: alert.id, alertKey: alert.alert_key, occurrence: alert.occurrence });
      }
      return wo.id;
    },
    rules: {
      async list(scope, page) {
        let q = ctx.db.selectFrom('wo_rules').selectAll().where('tenant_id', '=', scope.tenantId);
        if (page.cursor !== undefined) q = q.where('id', '<', decodeCursor('wo_rules', page.cursor, 'id')[0]);
        const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
        return toPage(rows, page.limit, toRule, (r) => [r.id], 'wo_rules');
      },
      async create(actor, scope, input) {
        return ctx.db.transaction().execute(async (trx) => {
          if (input.siteId !== null) await requireSite(trx, scope, input.siteId);
          const row: WoRulesTable = {
            id: ctx.newId(), tenant_id: scope.tenantId, name: input.name, site_id: input.siteId, asset_kind: input.assetKind, alert_rule_id: input.alertRuleId,
            min_severity: input.minSeverity, wo_type: input.woType, wo_priority: input.woPriority, enabled: input.enabled ? 1 : 0, created_by: actor.name, created_at: ctx.clock.now(),
          };
          await trx.insertInto('wo_rules').values(row).execute();
          await audit(trx, actor, { action: 'workorder_rule.create', entityType: 'work_order_rule', entityId: row.id, siteId: row.site_id, after: toRule(row) });
          return toRule(row);
        });
      },
      async update(actor, scope, id, patch) {
        return ctx.db.transaction().execute(async (trx) => {
          const before = await trx.selectFrom('wo_rules').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst();
          if (!before) throw notFound('work order rule', id);
          if (patch.siteId !== undefined && patch.siteId !== null) await requireSite(trx, scope, patch.siteId);
          const after: WoRulesTable = {
            ...before,
            name: patch.name ?? before.name,
            site_id: patch.siteId === undefined ? before.site_id : patch.siteId,
            asset_kind: patch.assetKind === undefined ? before.asset_kind : patch.assetKind,
            alert_rule_id: patch.alertRuleId === undefined ? before.alert_rule_id : patch.alertRuleId,
            min_severity: patch.minSeverity ?? before.min_severity,
            wo_type: patch.woType ?? before.wo_type,
            wo_priority: patch.woPriority ?? before.wo_priority,
            enabled: patch.enabled === undefined ? before.enabled : patch.enabled ? 1 : 0,
          };
          const { id: _id, tenant_id: _t, created_at: _c, created_by: _b, ...set } = after;
          await trx.updateTable('wo_rules').set(set).where('id', '=', id).execute();
          await audit(trx, actor, { action: 'workorder_rule.update', entityType: 'work_order_rule', entityId: id, siteId: after.site_id, before: toRule(before), after: toRule(after) });
          return toRule(after);
        });
      },
      async delete(actor, scope, id) {
        await ctx.db.transaction().execute(async (trx) => {
          const before = await trx.selectFrom('wo_rules').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst();
          if (!before) throw notFound('work order rule', id);
          await trx.deleteFrom('wo_rules').where('id', '=', id).execute();
          await audit(trx, actor, { action: 'workorder_rule.delete', entityType: 'work_order_rule', entityId: id, siteId: before.site_id, before: toRule(before) });
        });
      },
    },
  };
  return store;
}
