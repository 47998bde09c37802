import { limitSeverity, limitValue, thresholdLevels } from '@dcmms/shared';
import type { AlarmRule, AlertAction, AlertEvent, Reading, Severity, SiteTag, ThresholdLevel } from '@dcmms/shared';
import type { DeviceStateEvent } from '@dcmms/protocol-adapters';
import { analogValue, debounce, isData, newDebounced, ratePerSecond, thresholdWanted, tripWanted } from './conditions.js';
import type { Debounced, RateState } from './conditions.js';
import { INITIAL_LIFECYCLE, transition } from './lifecycle.js';
import type { Lifecycle, LifecycleInput, Outcome } from './lifecycle.js';

/** An alert event before the journal gives it its eventSeq. */
export type AlertEventDraft = Omit<AlertEvent, 'eventSeq'>;

export interface EngineOutput {
  readonly events: AlertEventDraft[];
  /** Points whose lifecycle changed, to persist with the events. */
  readonly points: Map<string, Lifecycle>;
  /** Points that no longer exist (config change). */
  readonly removedPoints: string[];
  /** Cloud acknowledgements kept for an occurrence not reached yet, and those settled. */
  readonly pendingSet: AlertAction[];
  readonly pendingCleared: string[];
}

export interface ActionResult {
  readonly output: EngineOutput;
  readonly outcome: Outcome | 'unknown';
  readonly reason?: string;
}

interface PointCommon {
  readonly alertId: string;
  readonly rule: AlarmRule;
  readonly severity: Severity;
  readonly tag: string | undefined;
  readonly device: string | undefined;
  readonly asset: string | undefined;
  lifecycle: Lifecycle;
  cond: Debounced;
  lastValue: number | boolean | null | undefined;
  detail: string;
}

type Point = PointCommon &
  (
    | { readonly kind: 'threshold'; readonly level: ThresholdLevel; readonly direction: 'high' | 'low'; readonly limit: number; readonly deadband: number }
    | { readonly kind: 'rate_of_change'; readonly max: number; readonly deadband: number; readonly rate: RateState }
    | { readonly kind: 'stale'; readonly afterMs: number; lastSeen: number }
    | { readonly kind: 'comm_loss'; readonly afterMs: number; connected: boolean; since: number }
    | { readonly kind: 'trip'; readonly activeWhen: boolean }
    | { readonly kind: 'quality_bad' }
  );

export interface AlarmEngineOptions {
  readonly site: string;
  readonly rules: readonly AlarmRule[];
  readonly tags: ReadonlyMap<string, SiteTag>;
  readonly now: number;
  /** Lifecycles from the journal: a restart resumes each point where it was. */
  readonly restored?: ReadonlyMap<string, Lifecycle>;
  readonly pending?: readonly AlertAction[];
}

const LEVEL_LABEL: Record<ThresholdLevel, string> = { hihi: 'HIHI', hi: 'HI', lo: 'LO', lolo: 'LOLO' };

/**
 * Evaluates a site's alarm rules on readings, device states and the clock, and runs each
 * point's ISA-18.2 lifecycle. Pure (no I/O, time passed in): the agent journals what each
 * call returns, so the engine is tested directly and keeps alarming with no uplink at all.
 */
export class AlarmEngine {
  private readonly site: string;
  private points = new Map<string, Point>();
  private byTag = new Map<string, Point[]>();
  private byDevice = new Map<string, Point[]>();
  private timed: Point[] = [];
  private readonly pending = new Map<string, AlertAction>();
  private out: EngineOutput = emptyOutput();

  constructor(options: AlarmEngineOptions) {
    this.site = options.site;
    for (const action of options.pending ?? []) this.pending.set(action.alertId, action);
    this.install(options.rules, options.tags, options.now, options.restored ?? new Map());
  }

  /** Readings of one device (or any mix): evaluated before they are buffered. */
  onReadings(readings: readonly Reading[], now: number): EngineOutput {
    this.out = emptyOutput();
    for (const r of readings) {
      const points = this.byTag.get(r.tag);
      if (points === undefined) continue;
      for (const p of points) this.evaluate(p, r, now);
    }
    return this.out;
  }

  onDeviceState(event: DeviceStateEvent): EngineOutput {
    this.out = emptyOutput();
    for (const p of this.byDevice.get(event.device) ?? []) {
      if (p.kind !== 'comm_loss') continue;
      const connected = event.state === 'connected';
      if (connected !== p.connected) {
        p.connected = connected;
        p.since = event.ts;
      }
      p.detail = connected ? `device ${event.device} connected` : `device ${event.device} ${event.state}${event.reason ? ` (${event.reason})` : ''}`;
      if (connected) this.setCondition(p, false, event.ts);
      else this.setCondition(p, event.ts - p.since >= p.afterMs, event.ts);
    }
    return this.out;
  }

  /** Time-driven conditions (stale data, communication loss) and shelve expiry. */
  tick(now: number): EngineOutput {
    this.out = emptyOutput();
    for (const p of this.timed) {
      if (p.kind === 'stale') {
        const age = now - p.lastSeen;
        if (age >= p.afterMs) p.detail = `no data for ${Math.round(age / 1000)} s`;
        this.setCondition(p, age >= p.afterMs, now);
      } else if (p.kind === 'comm_loss' && !p.connected) {
        if (now - p.since >= p.afterMs) this.setCondition(p, true, now);
      }
    }
    for (const p of this.points.values()) {
      if (p.lifecycle.state === 'shelved') this.step(p, { type: 'tick', ts: now });
    }
    return this.out;
  }

  /** An operator action from the cloud. */
  applyAction(action: AlertAction, now: number): ActionResult {
    this.out = emptyOutput();
    const p = this.points.get(action.alertId);
    if (p === undefined) return { output: this.out, outcome: 'unknown', reason: `no alarm ${action.alertId} at this site` };
    const who = { ts: now, actor: action.actor, ...(action.comment === undefined ? {} : { comment: action.comment }) };
    let input: LifecycleInput;
    switch (action.action) {
      case 'acknowledge':
        input = { type: 'acknowledge', occurrence: action.occurrence, ...who };
        break;
      case 'shelve':
        input = { type: 'shelve', until: action.shelvedUntil ?? now + 3_600_000, ...who };
        break;
      case 'unshelve':
        input = { type: 'unshelve', ...who };
        break;
      case 'remove_from_service':
        input = { type: 'remove_from_service', ...who };
        break;
      case 'return_to_service':
        input = { type: 'return_to_service', ...who };
        break;
    }
    const t = this.step(p, input);
    if (t.outcome === 'future') {
      const kept = this.pending.get(p.alertId);
      if (kept === undefined || kept.occurrence <= action.occurrence) {
        this.pending.set(p.alertId, action);
        this.out.pendingSet.push(action);
      }
    }
    return { output: this.out, outcome: t.outcome, ...(t.reason === undefined ? {} : { reason: t.reason }) };
  }

  /**
   * A new config: points that keep their alert id keep their lifecycle; points that are
   * gone are taken out of service (so the cloud is not left with a dangling active alarm).
   */
  reconfigure(rules: readonly AlarmRule[], tags: ReadonlyMap<string, SiteTag>, now: number): EngineOutput {
    this.out = emptyOutput();
    const previous = this.points;
    const lifecycles = new Map<string, Lifecycle>();
    for (const [id, p] of previous) lifecycles.set(id, p.lifecycle);
    this.install(rules, tags, now, lifecycles, previous);
    for (const [id, p] of previous) {
      if (this.points.has(id)) continue;
      if (p.lifecycle.state !== 'normal' && p.lifecycle.state !== 'out_of_service') {
        this.step(p, { type: 'remove_from_service', ts: now, actor: 'edge', comment: 'rule removed from the site config' });
      }
      this.out.removedPoints.push(id);
      this.out.points.delete(id);
      if (this.pending.delete(id)) this.out.pendingCleared.push(id);
    }
    return this.out;
  }

  /** Current state of every point (for /status and the status message). */
  snapshot(): Array<{ alertId: string; ruleId: string; state: Lifecycle['state']; occurrence: number; severity: Severity; active: boolean }> {
    return [...this.points.values()].map((p) => ({
      alertId: p.alertId,
      ruleId: p.rule.id,
      state: p.lifecycle.state,
      occurrence: p.lifecycle.occurrence,
      severity: p.severity,
      active: p.lifecycle.active,
    }));
  }

  lifecycleOf(alertId: string): Lifecycle | undefined {
    return this.points.get(alertId)?.lifecycle;
  }

  pendingActions(): AlertAction[] {
    return [...this.pending.values()];
  }

  private install(rules: readonly AlarmRule[], tags: ReadonlyMap<string, SiteTag>, now: number, restored: ReadonlyMap<string, Lifecycle>, previous?: Map<string, Point>): void {
    const points = new Map<string, Point>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      for (const p of pointsOf(rule, tags, now)) {
        const old = previous?.get(p.alertId);
        const lifecycle = restored.get(p.alertId);
        if (lifecycle !== undefined) {
          p.lifecycle = lifecycle;
          // The condition resumes as the lifecycle knew it, so a restart does not re-raise.
          p.cond = { active: lifecycle.active, since: null };
        }
        if (old !== undefined && JSON.stringify(old.rule) === JSON.stringify(p.rule)) {
          p.cond = old.cond;
          p.lastValue = old.lastValue;
          if (old.kind === 'stale' && p.kind === 'stale') p.lastSeen = old.lastSeen;
          if (old.kind === 'comm_loss' && p.kind === 'comm_loss') {
            p.connected = old.connected;
            p.since = old.since;
          }
          if (old.kind === 'rate_of_change' && p.kind === 'rate_of_change') Object.assign(p.rate, old.rate);
        }
        points.set(p.alertId, p);
      }
    }
    this.points = points;
    this.byTag = new Map();
    this.byDevice = new Map();
    this.timed = [];
    for (const p of points.values()) {
      if (p.tag !== undefined) push(this.byTag, p.tag, p);
      if (p.kind === 'comm_loss' && p.device !== undefined) push(this.byDevice, p.device, p);
      if (p.kind === 'stale' || p.kind === 'comm_loss') this.timed.push(p);
    }
  }

  private evaluate(p: Point, r: Reading, now: number): void {
    switch (p.kind) {
      case 'threshold': {
        const v = analogValue(r);
        if (v === null) return;
        p.lastValue = v;
        const wanted = thresholdWanted(p.direction, p.cond.active, v, p.limit, p.deadband);
        p.detail = `${LEVEL_LABEL[p.level]} ${p.tag}: ${v} ${p.direction === 'high' ? '>=' : '<='} ${p.limit}`;
        this.setCondition(p, wanted, r.ts);
        return;
      }
      case 'rate_of_change': {
        const v = analogValue(r);
        if (v === null) return;
        p.lastValue = v;
        const rate = ratePerSecond(p.rate, v, r.ts);
        if (rate === null) return;
        const wanted = p.cond.active ? rate > p.max - p.deadband : rate > p.max;
        p.detail = `${p.tag} changes ${rate.toPrecision(4)}/s (limit ${p.max}/s)`;
        this.setCondition(p, wanted, r.ts);
        return;
      }
      case 'stale':
        if (!isData(r)) return;
        p.lastSeen = now;
        p.detail = `${p.tag} has data again`;
        this.setCondition(p, false, now);
        return;
      case 'trip': {
        const wanted = tripWanted(r, p.activeWhen);
        if (wanted === null) return;
        p.lastValue = typeof r.value === 'number' || typeof r.value === 'boolean' ? r.value : null;
        p.detail = `${p.tag} = ${String(r.value)}`;
        this.setCondition(p, wanted, r.ts);
        return;
      }
      case 'quality_bad':
        p.lastValue = typeof r.value === 'number' || typeof r.value === 'boolean' ? r.value : null;
        p.detail = `${p.tag} quality ${r.quality}${r.reason ? ` (${r.reason})` : ''}`;
        this.setCondition(p, r.quality === 'bad', r.ts);
        return;
      case 'comm_loss':
        return;
    }
  }

  private setCondition(p: Point, wanted: boolean, ts: number): void {
    if (!debounce(p.cond, wanted, ts, p.rule.onDelayMs, p.rule.offDelayMs)) return;
    this.step(p, { type: 'condition', active: p.cond.active, ts });
  }

  private step(p: Point, input: LifecycleInput): ReturnType<typeof transition> {
    const t = transition(p.lifecycle, input);
    if (t.events.length === 0 && t.next === p.lifecycle) return t;
    const before = p.lifecycle.occurrence;
    p.lifecycle = t.next;
    this.out.points.set(p.alertId, t.next);
    for (const e of t.events) {
      this.out.events.push({
        site: this.site,
        alertId: p.alertId,
        occurrence: e.occurrence,
        ts: e.ts,
        kind: e.kind,
        state: e.state,
        severity: p.severity,
        ruleId: p.rule.id,
        ...(p.tag === undefined ? {} : { tag: p.tag }),
        ...(p.asset === undefined ? {} : { asset: p.asset }),
        ...(p.lastValue === undefined ? {} : { value: p.lastValue }),
        message: messageOf(p),
        ...(e.actor === undefined ? {} : { actor: e.actor }),
        ...(e.comment === undefined ? {} : { comment: e.comment }),
        ...(e.shelvedUntil === undefined ? {} : { shelvedUntil: e.shelvedUntil }),
      });
    }
    if (p.lifecycle.occurrence !== before) this.settlePending(p, input.ts);
    return t;
  }

  /** A kept ack applies once its occurrence is reached, and is dropped once it is passed. */
  private settlePending(p: Point, ts: number): void {
    const action = this.pending.get(p.alertId);
    if (action === undefined || action.occurrence > p.lifecycle.occurrence) return;
    this.pending.delete(p.alertId);
    this.out.pendingCleared.push(p.alertId);
    if (action.occurrence === p.lifecycle.occurrence) {
      this.step(p, { type: 'acknowledge', occurrence: action.occurrence, ts, actor: action.actor, ...(action.comment === undefined ? {} : { comment: action.comment }) });
    }
  }
}

function emptyOutput(): EngineOutput {
  return { events: [], points: new Map(), removedPoints: [], pendingSet: [], pendingCleared: [] };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function messageOf(p: Point): string {
  const text = p.rule.message === undefined ? p.detail : `${p.rule.message} (${p.detail})`;
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}

function pointsOf(rule: AlarmRule, tags: ReadonlyMap<string, SiteTag>, now: number): Point[] {
  const base = (alertId: string, severity: Severity, tag: string | undefined, device: string | undefined) => ({
    alertId,
    rule,
    severity,
    tag,
    device,
    asset: tag === undefined ? undefined : tags.get(tag)?.asset,
    lifecycle: INITIAL_LIFECYCLE,
    cond: newDebounced(),
    lastValue: undefined,
    detail: rule.message ?? rule.id,
  });
  switch (rule.type) {
    case 'threshold':
      return thresholdLevels.flatMap((level): Point[] => {
        const limit = rule[level];
        if (limit === undefined) return [];
        return [
          {
            ...base(`${rule.id}:${level}`, limitSeverity(limit) ?? rule.severity, rule.tag, tags.get(rule.tag)?.device),
            kind: 'threshold',
            level,
            direction: level === 'hihi' || level === 'hi' ? 'high' : 'low',
            limit: limitValue(limit),
            deadband: rule.deadband,
          },
        ];
      });
    case 'rate_of_change':
      return [{ ...base(rule.id, rule.severity, rule.tag, tags.get(rule.tag)?.device), kind: 'rate_of_change', max: rule.maxPerSecond, deadband: rule.deadband, rate: { prevValue: null, prevTs: null } }];
    case 'stale':
      return [{ ...base(rule.id, rule.severity, rule.tag, tags.get(rule.tag)?.device), kind: 'stale', afterMs: rule.afterMs, lastSeen: now }];
    case 'comm_loss':
      return [{ ...base(rule.id, rule.severity, undefined, rule.device), kind: 'comm_loss', afterMs: rule.afterMs, connected: false, since: now }];
    case 'trip':
      return [{ ...base(rule.id, rule.severity, rule.tag, tags.get(rule.tag)?.device), kind: 'trip', activeWhen: rule.activeWhen }];
    case 'quality_bad':
      return [{ ...base(rule.id, rule.severity, rule.tag, tags.get(rule.tag)?.device), kind: 'quality_bad' }];
  }
}
