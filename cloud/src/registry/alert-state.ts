import type { AlarmState, AlertEventKind } from '@dcmms/shared';

/**
 * What an operator action taken in the cloud does to an alert occurrence (ISA-18.2). The edge
 * owns the alarm and reports the resulting state back; this is the state the control room sees
 * in the meantime, and the rule for refusing actions that make no sense.
 */
export type OperatorAction = 'acknowledge' | 'shelve' | 'unshelve';

export interface AlertCondition {
  readonly state: AlarmState;
  /** The alarm condition is present. */
  readonly active: boolean;
  readonly acked: boolean;
}

export function applyOperatorAction(current: AlertCondition, action: OperatorAction): { readonly ok: true; readonly state: AlarmState } | { readonly ok: false; readonly reason: string } {
  switch (action) {
    case 'acknowledge':
      if (current.state === 'unacked_active') return { ok: true, state: 'acked_active' };
      if (current.state === 'unacked_rtn') return { ok: true, state: 'normal' };
      return { ok: false, reason: `an alert in state ${current.state} cannot be acknowledged` };
    case 'shelve':
      if (current.state === 'unacked_active' || current.state === 'acked_active' || current.state === 'unacked_rtn') return { ok: true, state: 'shelved' };
      return { ok: false, reason: `an alert in state ${current.state} cannot be shelved` };
    case 'unshelve':
      if (current.state !== 'shelved') return { ok: false, reason: `an alert in state ${current.state} is not shelved` };
      return { ok: true, state: current.active ? (current.acked ? 'acked_active' : 'unacked_active') : current.acked ? 'normal' : 'unacked_rtn' };
  }
}

/** Whether the condition is present after an edge event; shelving and service changes keep what was. */
export function activeAfter(kind: AlertEventKind, state: AlarmState, wasActive: boolean): boolean {
  if (kind === 'raised') return true;
  if (kind === 'cleared') return false;
  if (state === 'unacked_active' || state === 'acked_active') return true;
  if (state === 'normal' || state === 'unacked_rtn') return false;
  return wasActive;
}

export const SEVERITY_RANK: Readonly<Record<string, number>> = Object.freeze({ low: 1, medium: 2, high: 3, critical: 4 });
