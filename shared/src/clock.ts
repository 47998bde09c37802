/** Time as a dependency, so schedulers, buffers and state machines are testable without sleeping. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): number;
}

export function createManualClock(startMs = 0): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => (t += ms),
  };
}
