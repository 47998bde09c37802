/**
 * npm run bench [-- --json] [-- --only codec,edge]: every bench of the project in turn, then one
 * summary table (figure, target, measured, ratio). With --json, stdout is only the JSON array
 * of the benches' own objects (each bench's full output goes to stderr).
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { down, up } from '../scripts/engines/engines.js';
import { loadSettings } from '../scripts/engines/settings.js';
import { formatNumber, table } from './lib/report.js';

interface BenchJson {
  readonly bench: string;
  readonly figures: ReadonlyArray<{ name: string; unit: string; measured: number; reference: number | null; ratio: number | null; target: string }>;
}

const BENCHES: ReadonlyArray<{ readonly name: string; readonly engines: boolean }> = [
  { name: 'codec', engines: false },
  { name: 'modbus', engines: false },
  { name: 'opcua', engines: false },
  { name: 'edge', engines: false },
  { name: 'pipeline', engines: true },
  { name: 'api', engines: true },
];

const HELP = `Usage: npm run bench [-- --json] [-- --only ${BENCHES.map((b) => b.name).join(',')}]

Runs every bench in turn (the engine benches start Kafka, QuestDB and PostgreSQL with
engines:up when they are not running, and stop what was started), then prints a summary.
`;

/** The last non-empty line of a bench's output is its JSON object (bench/lib/report.ts). */
export function lastJsonLine(output: string): BenchJson | null {
  const line = output.trimEnd().split('\n').at(-1) ?? '';
  try {
    const parsed = JSON.parse(line) as BenchJson;
    return typeof parsed.bench === 'string' && Array.isArray(parsed.figures) ? parsed : null;
  } catch {
    return null;
  }
}

function runBench(name: string, echo: NodeJS.WritableStream): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=dcmms-source', '--import', 'tsx', `bench/${name}.ts`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      echo.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

export function summary(results: readonly BenchJson[]): string {
  const rows = results.flatMap((r) =>
    r.figures.map((f) => [r.bench, f.name, f.target, formatNumber(f.measured), f.unit, f.ratio === null ? '-' : `${f.ratio.toFixed(2)}x`]),
  );
  return table(['bench', 'figure', 'target', 'measured', 'unit', 'ratio'], rows, [false, false, false, true, false, true]);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !BENCHES.some((b) => b.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(`bench: unknown bench ${unknown.join(', ')}\n${HELP}`);
    return 2;
  }
  const selected = BENCHES.filter((b) => !only || only.includes(b.name));
  const echo = values.json ? process.stderr : process.stdout;

  const settings = loadSettings();
  let started: Awaited<ReturnType<typeof up>>['started'] = [];
  const results: BenchJson[] = [];
  const failed: string[] = [];
  try {
    for (const b of selected) {
      if (b.engines && started.length === 0) {
        started = (await up(settings, undefined, (l) => process.stderr.write(`engines: ${l}\n`))).started;
      }
      echo.write(`\n#### bench:${b.name}\n`);
      const { code, output } = await runBench(b.name, echo);
      const json = lastJsonLine(output);
      if (code !== 0 || !json) {
        failed.push(`${b.name} (exit ${code}${json ? '' : ', no JSON line'})`);
        continue;
      }
      results.push(json);
    }
  } finally {
    if (started.length) await down(settings, started, {}, (l) => process.stderr.write(`engines: ${l}\n`));
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } else {
    process.stdout.write(`\n== Summary (ratios compare with a reference measured in the same run)\n${summary(results)}\n`);
  }
  if (failed.length) process.stderr.write(`bench: failed: ${failed.join(', ')}\n`);
  return failed.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  void main().then((code) => process.exit(code));
}
