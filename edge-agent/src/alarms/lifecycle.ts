import type { AlarmState, AlertEventKind } from '@dcmms/shared';

/**
 * The ISA-18.2 alarm lifecycle of one alarm point, as a pure function
 * (state, input) -> (state, events). No clock, no I/O: the engine feeds it condition
 * changes, operator actions and time ticks, and journals the events it returns.
 *
 *   normal ──active──> unacked_active ──ack──> acked_active ──clear──> normal
 *                          │                                  
 *                        clear                               
 *                          v                                 
 *                      unacked_rtn ──ack──> normal;   unacked_rtn ──active──> unacked_active (next occurrence)
 *
 * plus shelved (suppressed until an expiry or an unshelve) and out_of_service (suppressed
 * until returned to service), reachable from every state. While suppressed the condition
 * is still tracked; on release an active condition is raised as a new occurrence.
 *
 * Acknowledgements name the occurrence the operator saw: an ack for an older occurrence
 * never acknowledges a newer one ('stale'), and an ack for an occurrence this edge has not
 * reached yet is reported 'future' so the caller can keep it instead of losing it.
 */
export interface Lifecycle {
  readonly state: AlarmState;
  /** Activations so far; 0 = never active. */
  readonly occurrence: number;
  /** The condition as last evaluated, tracked while shelved or out of service too. */
  readonly active: boolean;
  readonly shelvedUntil: number | null;
}

export const INITIAL_LIFECYCLE: Lifecycle = Object.freeze({ state: 'normal', occurrence: 0, active: false, shelvedUntil: null });

interface Who {
  readonly ts: number;
  readonly actor?: string;
  readonly comment?: string;
}

export type LifecycleInput =
  | { readonly type: 'condition'; readonly active: boolean; readonly ts: number }
  | ({ readonly type: 'acknowledge'; readonly occurrence: number } & Who)
  | ({ readonly type: 'shelve'; readonly until: number } & Who)
  | ({ readonly type: 'unshelve' } & Who)
  | ({ readonly type: 'remove_from_service' } & Who)
  | ({ readonly type: 'return_to_service' } & Who)
  | { readonly type: 'tick'; readonly ts: number };

export interface LifecycleEvent {
  readonly kind: AlertEventKind;
  /** The state after this event. */
  readonly state: AlarmState;
  readonly occurrence: number;
  readonly ts: number;
  readonly actor?: string;
  readonly comment?: string;
  readonly shelvedUntil?: number;
}

export type Outcome = 'applied' | 'ignored' | 'stale' | 'future';

export interface Transition {
  readonly next: Lifecycle;
  readonly events: readonly LifecycleEvent[];
  readonly outcome: Outcome;
  /** Why an input changed nothing (for the action's log line). */
  readonly reason?: string;
}

const suppressed = (s: AlarmState): boolean => s === 'shelved' || s === 'out_of_service';

function who(input: Who): Pick<LifecycleEvent, 'actor' | 'comment'> {
  return { ...(input.actor === undefined ? {} : { actor: input.actor }), ...(input.comment === undefined ? {} : { comment: input.comment }) };
}

function ignored(s: Lifecycle, reason: string, outcome: Outcome = 'ignored'): Transition {
  return { next: s, events: [], outcome, reason };
}

/** Leaving suppression: back to normal, then raised at once if the condition is active. */
function release(s: Lifecycle, kind: 'unshelved' | 'returned_to_service', input: Who): Transition {
  const events: LifecycleEvent[] = [{ kind, state: 'normal', occurrence: s.occurrence, ts: input.ts, ...who(input) }];
  let next: Lifecycle = { ...s, state: 'normal', shelvedUntil: null };
  if (s.active) {
    next = { ...next, state: 'unacked_active', occurrence: s.occurrence + 1 };
    events.push({ kind: 'raised', state: 'unacked_active', occurrence: next.occurrence, ts: input.ts });
  }
  return { next, events, outcome: 'applied' };
}

export function transition(s: Lifecycle, input: LifecycleInput): Transition {
  switch (input.type) {
    case 'condition': {
      if (input.active === s.active) return ignored(s, 'condition unchanged');
      const tracked: Lifecycle = { ...s, active: input.active };
      if (suppressed(s.state)) return { next: tracked, events: [], outcome: 'applied' };
      if (input.active) {
        // normal or unacked_rtn: a new occurrence. (acked_active / unacked_active are active already.)
        const next: Lifecycle = { ...tracked, state: 'unacked_active', occurrence: s.occurrence + 1 };
        return { next, events: [{ kind: 'raised', state: next.state, occurrence: next.occurrence, ts: input.ts }], outcome: 'applied' };
      }
      const state: AlarmState = s.state === 'acked_active' ? 'normal' : 'unacked_rtn';
      const next: Lifecycle = { ...tracked, state };
      return { next, events: [{ kind: 'cleared', state, occurrence: s.occurrence, ts: input.ts }], outcome: 'applied' };
    }
    case 'acknowledge': {
      if (input.occurrence < s.occurrence) return ignored(s, `acknowledges occurrence ${input.occurrence}, the alarm is at ${s.occurrence}`, 'stale');
      if (input.occurrence > s.occurrence) return ignored(s, `acknowledges occurrence ${input.occurrence}, not reached yet (at ${s.occurrence})`, 'future');
      if (s.state !== 'unacked_active' && s.state !== 'unacked_rtn') return ignored(s, `nothing to acknowledge in state ${s.state}`);
      const state: AlarmState = s.state === 'unacked_active' ? 'acked_active' : 'normal';
      return { next: { ...s, state }, events: [{ kind: 'acknowledged', state, occurrence: s.occurrence, ts: input.ts, ...who(input) }], outcome: 'applied' };
    }
    case 'shelve': {
      if (s.state === 'out_of_service') return ignored(s, 'out of service');
      if (input.until <= input.ts) return ignored(s, 'shelve expiry is not in the future');
      const next: Lifecycle = { ...s, state: 'shelved', shelvedUntil: input.until };
      return { next, events: [{ kind: 'shelved', state: 'shelved', occurrence: s.occurrence, ts: input.ts, shelvedUntil: input.until, ...who(input) }], outcome: 'applied' };
    }
    case 'unshelve':
      if (s.state !== 'shelved') return ignored(s, `not shelved (${s.state})`);
      return release(s, 'unshelved', input);
    case 'tick':
      if (s.state !== 'shelved' || s.shelvedUntil === null || input.ts < s.shelvedUntil) return ignored(s, 'nothing due');
      return release(s, 'unshelved', { ts: input.ts, actor: 'edge', comment: 'shelve expired' });
    case 'remove_from_service': {
      if (s.state === 'out_of_service') return ignored(s, 'already out of service');
      const next: Lifecycle = { ...s, state: 'out_of_service', shelvedUntil: null };
      return { next, events: [{ kind: 'removed_from_service', state: 'out_of_service', occurrence: s.occurrence, ts: input.ts, ...who(input) }], outcome: 'applied' };
    }
    case 'return_to_service':
      if (s.state !== 'out_of_service') return ignored(s, `not out of service (${s.state})`);
      return release(s, 'returned_to_service', input);
  }
}
