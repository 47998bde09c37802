/**
 * At most `concurrency` tasks at once, in arrival order, with an optional pause after each
 * task before its slot is reused (slow devices want a breather between requests). A serial
 * line has one gate with concurrency 1 shared by every device on it.
 */
export interface Gate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks waiting for a slot. */
  queued(): number;
}

export function createGate(concurrency: number, delayAfterMs = 0): Gate {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < concurrency) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        if (delayAfterMs > 0) setTimeout(release, delayAfterMs);
        else release();
      }
    },
    queued: () => waiting.length,
  };
}
