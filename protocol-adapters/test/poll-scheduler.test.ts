import { describe, expect, it } from 'vitest';
import { createManualClock } from '@dcmms/shared';
import { createPollScheduler } from '../src/poll-scheduler.js';
import { backoffDelay } from '../src/backoff.js';
import { createGate } from '../src/gate.js';

/** A timer queue driven by the manual clock, so the schedule is checked without sleeping. */
function harness(start: number) {
  const clock = createManualClock(start);
  let pending: { at: number; fn: () => void } | undefined;
  const cycles: [number[], number][] = [];
  const missed: [number, number][] = [];
  const resolvers: (() => void)[] = [];
  let hold = false;
  const scheduler = (intervals: number[]) =>
    createPollScheduler({
      intervals,
      clock,
      onCycle: (iv, at) => {
        cycles.push([[...iv], at]);
        return hold ? new Promise<void>((r) => resolvers.push(r)) : Promise.resolve();
      },
      onMissed: (i, n) => missed.push([i, n]),
      setTimer: (fn, ms) => (pending = { at: clock.now() + ms, fn }),
      clearTimer: () => (pending = undefined),
    });
  /** Advances to the next timer (plus `lateMs`) and fires it. */
  const step = async (lateMs = 0) => {
    const p = pending!;
    pending = undefined;
    clock.set(p.at + lateMs);
    p.fn();
    await Promise.resolve();
    await Promise.resolve();
  };
  return { clock, cycles, missed, scheduler, step, setHold: (h: boolean) => (hold = h), release: () => resolvers.splice(0).forEach((r) => r()) };
}

describe('poll scheduler', () => {
  it('fires on wall-clock multiples, merging intervals due together, without drift', async () => {
    const h = harness(10_250);
    const s = h.scheduler([1000, 5000]);
    s.start();
    for (let i = 0; i < 10; i++) await h.step(i % 3); // timers firing up to 2 ms late
    expect(h.cycles.map(([iv, at]) => `${at}:${iv.join('+')}`)).toEqual([
      '11000:1000',
      '12000:1000',
      '13000:1000',
      '14000:1000',
      '15000:1000+5000',
      '16000:1000',
      '17000:1000',
      '18000:1000',
      '19000:1000',
      '20000:1000+5000',
    ]);
    expect(h.missed).toEqual([]);
    s.stop();
  });

  it('counts a stall as missed cycles and does not run them late', async () => {
    const h = harness(0);
    const s = h.scheduler([100]);
    s.start();
    await h.step();
    await h.step(350); // the process stalled for 350 ms
    expect(h.cycles.map(([, at]) => at)).toEqual([100, 500]);
    expect(h.missed).toEqual([[100, 3]]);
    s.stop();
  });

  it('skips (and counts) a cycle whose previous run is still going', async () => {
    const h = harness(0);
    const s = h.scheduler([100]);
    h.setHold(true);
    s.start();
    await h.step(); // 100 starts and hangs
    await h.step(); // 200: busy
    await h.step(); // 300: busy
    h.release();
    await Promise.resolve();
    await Promise.resolve();
    await h.step(); // 400 runs
    expect(h.cycles.map(([, at]) => at)).toEqual([100, 400]);
    expect(h.missed).toEqual([
      [100, 1],
      [100, 1],
    ]);
    s.stop();
  });
});

describe('backoff and gate', () => {
  it('grows exponentially, caps, and jitters within bounds', () => {
    const cfg = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.2 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, cfg, () => 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(1, cfg, () => 0)).toBe(160);
    expect(backoffDelay(1, cfg, () => 0.999999)).toBe(240);
  });

  it('never runs more than its concurrency at once', async () => {
    const gate = createGate(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        gate.run(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
