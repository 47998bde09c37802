import type { Clock } from '@dcmms/shared';

/**
 * Failed logins per username: after `maxFailures` within `windowMs`, further attempts for that
 * name are refused until the window passes, whichever address they come from (the per-address
 * limit is the rate limiter's). Bounded: the oldest names are forgotten first.
 */
export interface LoginGuard {
  /** Milliseconds until the name may try again, or 0. */
  lockedFor(username: string): number;
  failed(username: string): void;
  succeeded(username: string): void;
}

export function createLoginGuard(clock: Clock, maxFailures: number, windowMs: number, maxNames = 50_000): LoginGuard {
  const failures = new Map<string, { count: number; since: number }>();
  const current = (name: string) => {
    const f = failures.get(name);
    if (f && clock.now() - f.since >= windowMs) {
      failures.delete(name);
      return undefined;
    }
    return f;
  };
  return {
    lockedFor(name) {
      const f = current(name);
      return f && f.count >= maxFailures ? f.since + windowMs - clock.now() : 0;
    },
    failed(name) {
      const f = current(name);
      if (f) f.count += 1;
      else {
        if (failures.size >= maxNames) failures.delete(failures.keys().next().value!);
        failures.set(name, { count: 1, since: clock.now() });
      }
    },
    succeeded(name) {
      failures.delete(name);
    },
  };
}
