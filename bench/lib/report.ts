import os from 'node:os';

/**
 * The output convention every bench follows: a human-readable table, then as the LAST line
 * one JSON object `{"bench": ..., "figures": [...]}` that tools parse. A figure compares a
 * measurement with a reference measured in the same run on the same machine (never a
 * number from elsewhere), so `ratio = measured / reference` is what carries meaning.
 */
export interface Figure {
  readonly name: string;
  readonly unit: string;
  readonly measured: number;
  /** The same quantity for the reference implementation; null when there is none. */
  readonly reference: number | null;
  /** measured / reference; null without a reference. */
  readonly ratio: number | null;
  /** The target in words, e.g. ">= 1,000,000 readings/s"; empty when there is none. */
  readonly target: string;
  /** Whether the target is met (shown in the table; not part of the JSON line). */
  readonly met?: boolean;
}

export interface FigureInput {
  readonly name: string;
  readonly unit: string;
  readonly measured: number;
  readonly reference?: number | null;
  readonly target?: string;
  readonly met?: boolean;
}

export function figure(input: FigureInput): Figure {
  const reference = input.reference ?? null;
  return {
    name: input.name,
    unit: input.unit,
    measured: input.measured,
    reference,
    ratio: reference === null || reference === 0 ? null : input.measured / reference,
    target: input.target ?? '',
    ...(input.met === undefined ? {} : { met: input.met }),
  };
}

/** Human formatting: thousands separators for big numbers, 3 significant decimals for small. */
export function formatNumber(x: number | null): string {
  if (x === null) return '-';
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

/** Round to `digits` significant digits, for the JSON line. */
function significant(x: number | null, digits = 6): number | null {
  if (x === null || x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], alignRight: readonly boolean[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (alignRight[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function environment(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  // The load average says whether other work shared the machine during the run.
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `node ${process.version}, ${os.platform()} ${os.arch()}, ${cpu.trim()}, ${os.cpus().length} logical CPUs, load average ${load}`;
}

export interface Report {
  readonly bench: string;
  readonly title: string;
  /** Free lines printed between the title and the table (profile description, method). */
  readonly preamble?: readonly string[];
  readonly figures: readonly Figure[];
  /** Printed after the table, before the JSON line. */
  readonly notes?: readonly string[];
}

export function renderReport(report: Report): string {
  const rows = report.figures.map((f) => [
    f.name,
    formatNumber(f.measured),
    f.unit,
    formatNumber(f.reference),
    f.ratio === null ? '-' : `${f.ratio.toFixed(2)}x`,
    f.target,
    f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
  ]);
  const json = {
    bench: report.bench,
    figures: report.figures.map((f) => ({
      name: f.name,
      unit: f.unit,
      measured: significant(f.measured),
      reference: significant(f.reference),
      ratio: significant(f.ratio, 4),
      target: f.target,
    })),
  };
  return [
    `== ${report.title}`,
    `   ${environment()}`,
    ...(report.preamble ?? []).map((l) => `   ${l}`),
    '',
    table(['figure', 'measured', 'unit', 'reference', 'ratio', 'target', ''], rows, [false, true, false, true, true, false, false]),
    ...(report.notes === undefined || report.notes.length === 0 ? [] : ['', ...report.notes]),
    JSON.stringify(json),
  ].join('\n');
}

/** Print the report; the JSON object is the last line of the bench's output. */
export function printReport(report: Report): void {
  process.stdout.write(`${renderReport(report)}\n`);
}
