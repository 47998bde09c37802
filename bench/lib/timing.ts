/**
 * Timing for benches: warm up (JIT, caches), then several runs, report the median so one
 * GC pause or a noisy neighbour does not decide the figure. Each run records wall time and
 * the process's CPU time (user + system, all threads): on a shared machine wall time
 * includes waiting for a core, CPU time does not (it slightly overstates the work of a
 * single-threaded section, since GC and JIT threads count too).
 */
export interface Timing {
  readonly medianMs: number;
  readonly medianCpuMs: number;
  readonly samplesMs: readonly number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function sample(fn: () => void): Sample {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function summarise(samples: readonly Sample[]): Timing {
  const wall = samples.map((s) => s.wallMs);
  return { medianMs: median(wall), medianCpuMs: median(samples.map((s) => s.cpuMs)), samplesMs: wall };
}

export function measure(fn: () => void, options: { warmup?: number; runs?: number } = {}): Timing {
  return measureInterleaved([fn], options)[0] as Timing;
}

/**
 * Measure several contenders in interleaved rounds (A B C A B C ...), so drift in machine
 * load hits them alike; medians per contender.
 */
export function measureInterleaved(fns: readonly (() => void)[], options: { warmup?: number; runs?: number } = {}): Timing[] {
  const warmup = options.warmup ?? 3;
  const runs = options.runs ?? 9;
  for (let i = 0; i < warmup; i++) for (const fn of fns) fn();
  const samples: Sample[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) fns.forEach((fn, k) => (samples[k] as Sample[]).push(sample(fn)));
  return samples.map(summarise);
}
