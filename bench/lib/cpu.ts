/**
 * CPU time of other processes, read from /proc (Linux), so a bench can say where a shared
 * machine's two cores went during a measurement: its own servers, the engines, itself.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // /proc clock ticks per second on Linux

interface Stat {
  readonly ppid: number;
  readonly cpu: number;
}

function stat(pid: number): Stat | null {
  try {
    // The command name may hold spaces and parentheses: fields start after the last ') '.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number | null | undefined): number {
  return pid ? (stat(pid)?.cpu ?? 0) : 0;
}

/**
 * CPU seconds of a process and of its children still running (PostgreSQL's backends: a
 * child's time reaches its parent only when it exits). A child that exits between two
 * readings is under-counted; per-connection backends of a pool live through a bench.
 */
export function cpuSecondsWithChildren(pid: number | null | undefined): number {
  if (!pid) return 0;
  let total = cpuSeconds(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s && s.ppid === pid) total += s.cpu;
  }
  return total;
}
