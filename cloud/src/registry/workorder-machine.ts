/**
 * The work-order state machine of ARCHITECTURE.md, as pure data and functions: no I/O, so
 * every transition from every state is tested directly and by property tests.
 */
export const WO_STATES = ['draft', 'open', 'assigned', 'in_progress', 'on_hold', 'completed', 'closed'] as const;
export type WoState = (typeof WO_STATES)[number];

export const WO_TRANSITION_NAMES = ['submit', 'assign', 'start', 'hold', 'resume', 'complete', 'reopen', 'close', 'cancel'] as const;
export type WoTransitionName = (typeof WO_TRANSITION_NAMES)[number];

export type WoResolution = 'done' | 'cancelled';

interface TransitionRule {
  readonly from: readonly WoState[];
  readonly to: WoState;
}

export const WO_TRANSITIONS: Readonly<Record<WoTransitionName, TransitionRule>> = Object.freeze({
  submit: { from: ['draft'], to: 'open' },
  assign: { from: ['open', 'assigned'], to: 'assigned' },
  start: { from: ['assigned'], to: 'in_progress' },
  hold: { from: ['in_progress'], to: 'on_hold' },
  resume: { from: ['on_hold'], to: 'in_progress' },
  complete: { from: ['in_progress'], to: 'completed' },
  reopen: { from: ['completed'], to: 'in_progress' },
  close: { from: ['completed'], to: 'closed' },
  cancel: { from: ['draft', 'open', 'assigned', 'on_hold'], to: 'closed' },
});

/** The transitions that may be taken from a state, in the table's order. */
export function allowedTransitions(state: WoState): WoTransitionName[] {
  return WO_TRANSITION_NAMES.filter((name) => WO_TRANSITIONS[name].from.includes(state));
}

export type TransitionOutcome =
  | { readonly ok: true; readonly to: WoState; readonly resolution: WoResolution | null }
  | { readonly ok: false; readonly allowed: WoTransitionName[] };

/**
 * Where `name` takes a work order in `state`. `closed` is final; a work order that reaches it
 * by `cancel` carries the resolution `cancelled`, by `close` the resolution `done`; reopening
 * clears the resolution.
 */
export function applyTransition(state: WoState, name: WoTransitionName): TransitionOutcome {
  const rule = WO_TRANSITIONS[name];
  if (!rule.from.includes(state)) return { ok: false, allowed: allowedTransitions(state) };
  const resolution: WoResolution | null = name === 'cancel' ? 'cancelled' : name === 'close' ? 'done' : null;
  return { ok: true, to: rule.to, resolution };
}

/** Open means someone still has work to do: a rule does not open another one meanwhile. */
export function isOpenState(state: WoState): boolean {
  return state !== 'completed' && state !== 'closed';
}

export function isWoState(value: string): value is WoState {
  return (WO_STATES as readonly string[]).includes(value);
}

export const WO_TYPES = ['corrective', 'preventive', 'predictive', 'emergency'] as const;
export type WoType = (typeof WO_TYPES)[number];
export const WO_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type WoPriority = (typeof WO_PRIORITIES)[number];

/** `WO-2026-000123`: per tenant and year; six digits at least, more when a year needs them. */
export function formatWorkOrderNumber(year: number, n: number): string {
  return `WO-${year}-${String(n).padStart(6, '0')}`;
}

/** Labour cost in cents, rounded half up to the cent. */
export function labourCostCents(minutes: number, rateCentsPerHour: number): number {
  return Math.round((minutes * rateCentsPerHour) / 60);
}
