import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AlarmState } from '@dcmms/shared';
import { INITIAL_LIFECYCLE, transition } from '../src/alarms/lifecycle.js';
import type { Lifecycle, LifecycleInput } from '../src/alarms/lifecycle.js';

const at = (state: AlarmState, over: Partial<Lifecycle> = {}): Lifecycle => {
  const active = state === 'unacked_active' || state === 'acked_active';
  return { state, occurrence: 3, active, shelvedUntil: state === 'shelved' ? 5000 : null, ...over };
};

type Row = [string, Lifecycle, LifecycleInput, Partial<Lifecycle> | null, string[]];

// from, input -> expected next (null = unchanged), event kinds
const TABLE: Row[] = [
  ['normal + active', at('normal'), { type: 'condition', active: true, ts: 1 }, { state: 'unacked_active', occurrence: 4, active: true }, ['raised']],
  ['normal + ack', at('normal'), { type: 'acknowledge', occurrence: 3, ts: 1 }, null, []],
  ['unacked_active + clear', at('unacked_active'), { type: 'condition', active: false, ts: 1 }, { state: 'unacked_rtn', occurrence: 3, active: false }, ['cleared']],
  ['unacked_active + ack', at('unacked_active'), { type: 'acknowledge', occurrence: 3, ts: 1 }, { state: 'acked_active' }, ['acknowledged']],
  ['unacked_active + old ack', at('unacked_active'), { type: 'acknowledge', occurrence: 2, ts: 1 }, null, []],
  ['unacked_active + future ack', at('unacked_active'), { type: 'acknowledge', occurrence: 4, ts: 1 }, null, []],
  ['unacked_active + active', at('unacked_active'), { type: 'condition', active: true, ts: 1 }, null, []],
  ['acked_active + clear', at('acked_active'), { type: 'condition', active: false, ts: 1 }, { state: 'normal', active: false }, ['cleared']],
  ['acked_active + ack', at('acked_active'), { type: 'acknowledge', occurrence: 3, ts: 1 }, null, []],
  ['unacked_rtn + ack', at('unacked_rtn'), { type: 'acknowledge', occurrence: 3, ts: 1 }, { state: 'normal' }, ['acknowledged']],
  ['unacked_rtn + active', at('unacked_rtn'), { type: 'condition', active: true, ts: 1 }, { state: 'unacked_active', occurrence: 4, active: true }, ['raised']],
  ['normal + shelve', at('normal'), { type: 'shelve', until: 100, ts: 1 }, { state: 'shelved', shelvedUntil: 100 }, ['shelved']],
  ['unacked_active + shelve', at('unacked_active'), { type: 'shelve', until: 100, ts: 1 }, { state: 'shelved', shelvedUntil: 100, active: true }, ['shelved']],
  ['shelve in the past', at('normal'), { type: 'shelve', until: 1, ts: 1 }, null, []],
  ['shelved + active', at('shelved'), { type: 'condition', active: true, ts: 1 }, { state: 'shelved', active: true }, []],
  ['shelved + tick before expiry', at('shelved'), { type: 'tick', ts: 4999 }, null, []],
  ['shelved + expiry, inactive', at('shelved'), { type: 'tick', ts: 5000 }, { state: 'normal', shelvedUntil: null }, ['unshelved']],
  ['shelved + expiry, active', at('shelved', { active: true }), { type: 'tick', ts: 5000 }, { state: 'unacked_active', occurrence: 4, shelvedUntil: null }, ['unshelved', 'raised']],
  ['shelved + unshelve', at('shelved'), { type: 'unshelve', ts: 10 }, { state: 'normal', shelvedUntil: null }, ['unshelved']],
  ['shelved + ack', at('shelved', { active: true }), { type: 'acknowledge', occurrence: 3, ts: 1 }, null, []],
  ['shelved + remove', at('shelved'), { type: 'remove_from_service', ts: 1 }, { state: 'out_of_service', shelvedUntil: null }, ['removed_from_service']],
  ['acked_active + remove', at('acked_active'), { type: 'remove_from_service', ts: 1 }, { state: 'out_of_service' }, ['removed_from_service']],
  ['out_of_service + active', at('out_of_service'), { type: 'condition', active: true, ts: 1 }, { active: true }, []],
  ['out_of_service + shelve', at('out_of_service'), { type: 'shelve', until: 100, ts: 1 }, null, []],
  ['out_of_service + unshelve', at('out_of_service'), { type: 'unshelve', ts: 1 }, null, []],
  ['out_of_service + return, inactive', at('out_of_service'), { type: 'return_to_service', ts: 1 }, { state: 'normal' }, ['returned_to_service']],
  ['out_of_service + return, active', at('out_of_service', { active: true }), { type: 'return_to_service', ts: 1 }, { state: 'unacked_active', occurrence: 4 }, ['returned_to_service', 'raised']],
  ['normal + return', at('normal'), { type: 'return_to_service', ts: 1 }, null, []],
  ['normal + tick', at('normal'), { type: 'tick', ts: 1 }, null, []],
];

describe('ISA-18.2 lifecycle transition table', () => {
  it.each(TABLE)('%s', (_name, from, input, expected, kinds) => {
    const t = transition(from, input);
    expect(t.events.map((e) => e.kind)).toEqual(kinds);
    if (expected === null) expect(t.next).toEqual(from);
    else expect(t.next).toEqual({ ...from, ...expected });
    if (t.events.length > 0) expect(t.events[t.events.length - 1]!.state).toBe(t.next.state);
  });

  it('tells stale acknowledgements from future ones', () => {
    expect(transition(at('unacked_active'), { type: 'acknowledge', occurrence: 2, ts: 1 }).outcome).toBe('stale');
    expect(transition(at('unacked_active'), { type: 'acknowledge', occurrence: 4, ts: 1 }).outcome).toBe('future');
    expect(transition(at('unacked_active'), { type: 'acknowledge', occurrence: 3, ts: 1 }).outcome).toBe('applied');
  });
});

const inputArb: fc.Arbitrary<(ts: number, occurrence: number) => LifecycleInput> = fc.oneof(
  fc.boolean().map((active) => (ts: number) => ({ type: 'condition' as const, active, ts })),
  fc.integer({ min: -2, max: 2 }).map((d) => (ts: number, occ: number) => ({ type: 'acknowledge' as const, occurrence: Math.max(1, occ + d), ts, actor: 'op' })),
  fc.integer({ min: 1, max: 50 }).map((d) => (ts: number) => ({ type: 'shelve' as const, until: ts + d, ts, actor: 'op' })),
  fc.constant((ts: number) => ({ type: 'unshelve' as const, ts, actor: 'op' })),
  fc.constant((ts: number) => ({ type: 'remove_from_service' as const, ts, actor: 'op' })),
  fc.constant((ts: number) => ({ type: 'return_to_service' as const, ts, actor: 'op' })),
  fc.constant((ts: number) => ({ type: 'tick' as const, ts })),
);

/** The states the lifecycle's own fields imply, outside suppression. */
function consistent(s: Lifecycle): boolean {
  switch (s.state) {
    case 'normal':
      return !s.active && s.shelvedUntil === null;
    case 'unacked_active':
    case 'acked_active':
      return s.active && s.occurrence >= 1 && s.shelvedUntil === null;
    case 'unacked_rtn':
      return !s.active && s.occurrence >= 1 && s.shelvedUntil === null;
    case 'shelved':
      return s.shelvedUntil !== null;
    case 'out_of_service':
      return s.shelvedUntil === null;
  }
}

describe('ISA-18.2 lifecycle properties over random event sequences', () => {
  it('keeps its invariants', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(inputArb, fc.integer({ min: 0, max: 20 })), { maxLength: 200 }), (steps) => {
        let s: Lifecycle = INITIAL_LIFECYCLE;
        let ts = 0;
        const raisedOccurrences = new Set<number>();
        for (const [make, dt] of steps) {
          ts += dt;
          const input = make(ts, s.occurrence);
          const t = transition(s, input);
          // Occurrences only grow, by exactly one per 'raised', and each is raised once.
          const raised = t.events.filter((e) => e.kind === 'raised');
          expect(t.next.occurrence).toBe(s.occurrence + raised.length);
          for (const e of raised) {
            expect(raisedOccurrences.has(e.occurrence)).toBe(false);
            raisedOccurrences.add(e.occurrence);
          }
          // An ack that does not name the current occurrence changes nothing.
          if (input.type === 'acknowledge' && input.occurrence !== s.occurrence) {
            expect(t.next).toEqual(s);
            expect(t.events).toEqual([]);
            expect(t.outcome).toBe(input.occurrence < s.occurrence ? 'stale' : 'future');
          }
          // Acknowledging never raises and never changes whether the condition is active.
          if (input.type === 'acknowledge') expect(t.next.active).toBe(s.active);
          // The condition input is tracked in every state, suppressed or not.
          if (input.type === 'condition') expect(t.next.active).toBe(input.active);
          // Events carry the state they lead to; the last one is the resulting state.
          if (t.events.length > 0) expect(t.events[t.events.length - 1]!.state).toBe(t.next.state);
          else if (t.outcome !== 'applied') expect(t.next).toEqual(s);
          // Nothing is annunciated while suppressed.
          if (s.state === 'out_of_service' && input.type !== 'return_to_service') expect(t.events).toEqual([]);
          expect(consistent(t.next)).toBe(true);
          s = t.next;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an active condition is always annunciated once suppression ends', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(inputArb, fc.integer({ min: 0, max: 20 })), { maxLength: 100 }), (steps) => {
        let s: Lifecycle = INITIAL_LIFECYCLE;
        let ts = 0;
        for (const [make, dt] of steps) {
          ts += dt;
          s = transition(s, make(ts, s.occurrence)).next;
        }
        // Release every suppression and check an active condition ends up unacknowledged-active or acknowledged-active.
        s = transition(s, { type: 'return_to_service', ts }).next;
        s = transition(s, { type: 'unshelve', ts }).next;
        if (s.active) expect(['unacked_active', 'acked_active']).toContain(s.state);
        else expect(['normal', 'unacked_rtn']).toContain(s.state);
      }),
      { numRuns: 300 },
    );
  });
});
