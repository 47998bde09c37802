/**
 * Wall-clock timing for benches: warm up (JIT, caches), then several runs, report the
 * median so one GC pause or a noisy neighbour does not decide the figure.
 */
export interface Timing {
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function measure(fn: () => void, options: { warmup?: number; runs?: number } = {}): Timing {
  const warmup = options.warmup ?? 3;
  const runs = options.runs ?? 9;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { medianMs: median(samples), samplesMs: samples };
}

/**
 * Measure several contenders in interleaved rounds (A B C A B C ...), so drift in machine
 * load hits them alike; medians per contender.
 */
export function measureInterleaved(fns: readonly (() => void)[], options: { warmup?: number; runs?: number } = {}): Timing[] {
  const warmup = options.warmup ?? 3;
  const runs = options.runs ?? 9;
  for (let i = 0; i < warmup; i++) for (const fn of fns) fn();
  const samples: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      const start = process.hrtime.bigint();
      fn();
      (samples[k] as number[]).push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return samples.map((s) => ({ medianMs: median(s), samplesMs: s }));
}
