import { describeError, silentLogger, type Logger } from '@dcmms/shared';
import { DEFAULT_BACKOFF, backoffDelay, pause, type BackoffOptions } from './backoff.js';

export interface FlushMember<T> {
  readonly items: readonly T[];
  /** False once the member's records are no longer ours (rebalance, shutdown): drop it from retries. */
  isActive(): boolean;
  heartbeat(): Promise<void>;
}

export interface GroupFlusherOptions<T> {
  /** Applies one group; throws on a transient failure (the same group is retried). */
  readonly flush: (items: readonly T[]) => Promise<void>;
  /** Roughly how much goes into one group (counted by `weight`). */
  readonly maxWeight: number;
  readonly weight: (item: T) => number;
  readonly backoff?: BackoffOptions;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  readonly logger?: Logger;
}

export interface GroupFlusher<T> {
  /** Resolves true once the member's items were flushed, false if it was dropped before (inactive). */
  submit(member: FlushMember<T>): Promise<boolean>;
  /** Stops retrying: members waiting resolve false. */
  stop(): void;
}

interface Waiting<T> {
  readonly member: FlushMember<T>;
  readonly resolve: (flushed: boolean) => void;
}

/**
 * Group commit: partitions handled concurrently hand their records here, and whatever is
 * waiting when the previous flush ends goes out as one large write. One flush at a time, so
 * a store outage holds everything (bounded by what the consumers fetched) and nothing is
 * skipped; retried with backoff until it succeeds or the members are no longer ours.
 */
export function createGroupFlusher<T>(options: GroupFlusherOptions<T>): GroupFlusher<T> {
  const log = options.logger ?? silentLogger;
  const queue: Waiting<T>[] = [];
  const stopper = new AbortController();
  let running = false;

  async function flushGroup(group: Waiting<T>[]): Promise<void> {
    // Heartbeats keep the partitions assigned to us through a slow write or a store outage.
    const beat = setInterval(() => group.forEach((w) => void w.member.heartbeat().catch(() => undefined)), 2000);
    try {
      await attempts(group);
    } finally {
      clearInterval(beat);
    }
  }

  async function attempts(group: Waiting<T>[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const live = group.filter((w) => {
        if (w.member.isActive() && !stopper.signal.aborted) return true;
        w.resolve(false);
        return false;
      });
      group = live;
      if (group.length === 0) return;
      try {
        await options.flush(group.flatMap((w) => w.member.items));
        for (const w of group) w.resolve(true);
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF);
        options.onRetry?.(err, attempt, delay);
        log.warn({ err: describeError(err), attempt, delayMs: delay }, 'flush failed; retrying the same records');
        await pause(delay, stopper.signal);
      }
    }
  }

  async function loop(): Promise<void> {
    try {
      while (queue.length > 0) {
        const group: Waiting<T>[] = [];
        let weight = 0;
        while (queue.length > 0 && (group.length === 0 || weight < options.maxWeight)) {
          const next = queue.shift()!;
          group.push(next);
          for (const item of next.member.items) weight += options.weight(item);
        }
        await flushGroup(group);
      }
    } finally {
      running = false;
    }
  }

  return {
    submit(member) {
      return new Promise<boolean>((resolve) => {
        if (stopper.signal.aborted) return resolve(false);
        queue.push({ member, resolve });
        if (!running) {
          running = true;
          // One turn of the event loop lets the other partitions of the same fetch join this group.
          setImmediate(() => void loop());
        }
      });
    },
    stop() {
      stopper.abort();
      for (const w of queue.splice(0)) w.resolve(false);
    },
  };
}
