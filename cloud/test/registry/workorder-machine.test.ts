import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WO_STATES,
  WO_TRANSITION_NAMES,
  allowedTransitions,
  applyTransition,
  formatWorkOrderNumber,
  isOpenState,
  labourCostCents,
  type WoState,
  type WoTransitionName,
} from '../../src/registry/workorder-machine.js';

// The table of ARCHITECTURE.md, written out independently of the implementation's table.
const EXPECTED: Record<WoTransitionName, { from: WoState[]; to: WoState }> = {
  submit: { from: ['draft'], to: 'open' },
  assign: { from: ['open', 'assigned'], to: 'assigned' },
  start: { from: ['assigned'], to: 'in_progress' },
  hold: { from: ['in_progress'], to: 'on_hold' },
  resume: { from: ['on_hold'], to: 'in_progress' },
  complete: { from: ['in_progress'], to: 'completed' },
  reopen: { from: ['completed'], to: 'in_progress' },
  close: { from: ['completed'], to: 'closed' },
  cancel: { from: ['draft', 'open', 'assigned', 'on_hold'], to: 'closed' },
};

describe('work order state machine', () => {
  for (const state of WO_STATES) {
    for (const name of WO_TRANSITION_NAMES) {
      const legal = EXPECTED[name].from.includes(state);
      it(`${name} from ${state} is ${legal ? `allowed, to ${EXPECTED[name].to}` : 'refused'}`, () => {
        const out = applyTransition(state, name);
        if (legal) {
          expect(out).toEqual({ ok: true, to: EXPECTED[name].to, resolution: name === 'cancel' ? 'cancelled' : name === 'close' ? 'done' : null });
        } else {
          expect(out.ok).toBe(false);
          if (!out.ok) expect(out.allowed).toEqual(WO_TRANSITION_NAMES.filter((n) => EXPECTED[n].from.includes(state)));
        }
      });
    }
  }

  it('closed is final and every other state has a way forward', () => {
    expect(allowedTransitions('closed')).toEqual([]);
    for (const s of WO_STATES.filter((x) => x !== 'closed')) expect(allowedTransitions(s).length).toBeGreaterThan(0);
  });

  it('random sequences: only listed transitions apply, the state stays known, closed absorbs', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...WO_TRANSITION_NAMES), { maxLength: 60 }), (names) => {
        let state: WoState = 'draft';
        let closedBy: WoTransitionName | null = null;
        for (const name of names) {
          const allowed = allowedTransitions(state);
          const out = applyTransition(state, name);
          expect(out.ok).toBe(allowed.includes(name));
          if (!out.ok) continue;
          expect(WO_STATES).toContain(out.to);
          expect(state).not.toBe('closed');
          if (out.to === 'closed') closedBy = name;
          state = out.to;
        }
        if (state === 'closed') expect(['close', 'cancel']).toContain(closedBy);
      }),
      { numRuns: 500 },
    );
  });

  it('random legal walks reach closed only through completed (close) or cancellable states (cancel)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (picks) => {
        let state: WoState = 'draft';
        const path: WoState[] = [state];
        for (const pick of picks) {
          const allowed = allowedTransitions(state);
          if (allowed.length === 0) break;
          const name = allowed[pick % allowed.length]!;
          const out = applyTransition(state, name);
          if (!out.ok) throw new Error('allowed transition refused');
          if (out.to === 'closed') expect(name === 'close' ? state === 'completed' : ['draft', 'open', 'assigned', 'on_hold'].includes(state)).toBe(true);
          if (out.to === 'completed') expect(state).toBe('in_progress');
          state = out.to;
          path.push(state);
        }
        // in_progress is only ever entered from assigned, on_hold or completed.
        path.forEach((s, i) => {
          if (s === 'in_progress' && i > 0) expect(['assigned', 'on_hold', 'completed', 'in_progress']).toContain(path[i - 1]);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('open means not completed and not closed', () => {
    expect(WO_STATES.filter(isOpenState)).toEqual(['draft', 'open', 'assigned', 'in_progress', 'on_hold']);
  });

  it('numbers and labour cost', () => {
    expect(formatWorkOrderNumber(2026, 123)).toBe('WO-2026-000123');
    expect(formatWorkOrderNumber(2026, 1_234_567)).toBe('WO-2026-1234567');
    expect(labourCostCents(90, 6000)).toBe(9000);
    expect(labourCostCents(1, 100)).toBe(2);
  });
});
