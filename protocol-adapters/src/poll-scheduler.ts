import type { Clock } from '@dcmms/shared';

/**
 * Poll cycles aligned to wall-clock multiples of each interval (a 1 s tag is read at every
 * whole second, a 5 s tag at :00, :05...), computed from the clock at every tick so there
 * is no drift. A cycle whose previous run has not finished, or whose time passed while the
 * process was stalled, is counted as missed and skipped, never queued up behind the others.
 */
export interface PollSchedulerOptions {
  readonly intervals: readonly number[];
  readonly clock: Clock;
  /** Runs the intervals due at `at` (an aligned time) together, so their requests can be merged. */
  readonly onCycle: (intervals: readonly number[], at: number) => Promise<void>;
  readonly onMissed: (interval: number, count: number) => void;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

export interface PollScheduler {
  start(): void;
  stop(): void;
}

/** The first multiple of `interval` at or after `t`. */
export const alignUp = (t: number, interval: number): number => Math.ceil(t / interval) * interval;

export function createPollScheduler(options: PollSchedulerOptions): PollScheduler {
  const { clock, onCycle, onMissed } = options;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout));
  const intervals = [...new Set(options.intervals)].sort((a, b) => a - b);
  const next = new Map<number, number>();
  const busy = new Set<number>();
  let timer: unknown;
  let running = false;

  const arm = (): void => {
    if (!running) return;
    let due = Infinity;
    for (const t of next.values()) due = Math.min(due, t);
    if (due === Infinity) return;
    timer = setTimer(fire, Math.max(0, due - clock.now()));
  };

  const fire = (): void => {
    timer = undefined;
    if (!running) return;
    const now = clock.now();
    const run: number[] = [];
    let at = -Infinity;
    for (const interval of intervals) {
      let due = next.get(interval)!;
      // Timers may fire a millisecond early: treat that as on time.
      if (due > now + 1) continue;
      const late = Math.floor((now - due) / interval);
      if (late >= 1) {
        onMissed(interval, late);
        due += late * interval;
      }
      next.set(interval, due + interval);
      if (busy.has(interval)) {
        onMissed(interval, 1);
        continue;
      }
      run.push(interval);
      at = Math.max(at, due);
    }
    if (run.length) {
      for (const i of run) busy.add(i);
      void onCycle(run, at)
        .catch(() => undefined)
        .finally(() => {
          for (const i of run) busy.delete(i);
        });
    }
    arm();
  };

  return {
    start() {
      if (running) return;
      running = true;
      const now = clock.now();
      for (const i of intervals) next.set(i, alignUp(now + 1, i));
      arm();
    },
    stop() {
      running = false;
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
    },
  };
}
