import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Logger } from '@dcmms/shared';
import { writeAtomic } from './data-dir.js';

/**
 * The pids of the role processes a start:engines run spawned, kept in the data folder. The
 * roles run in their own process group (see roles.ts), so a demo killed with kill -9 leaves
 * them running with the ports; the next start stops those first. A pid is only touched when
 * /proc says it still runs `cloud/src/main.ts <role>` (pids get reused).
 */
export function recordRolePids(file: string, pids: Readonly<Record<string, number>>): void {
  writeAtomic(file, `${JSON.stringify(pids)}\n`);
}

const isOurRole = (pid: number, role: string): boolean => {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('cloud/src/main.ts') && argv.includes(role);
  } catch {
    return false;
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function stopLeftoverRoles(file: string, logger: Logger, graceMs = 15_000): Promise<number> {
  if (!existsSync(file)) return 0;
  let pids: Record<string, number> = {};
  try {
    pids = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    // A damaged list names nothing to stop.
  }
  const leftovers = Object.entries(pids).filter(([role, pid]) => Number.isInteger(pid) && isOurRole(pid, role));
  for (const [role, pid] of leftovers) {
    logger.warn({ role, pid }, 'a role of an earlier start:engines run is still running: stopping it');
    process.kill(pid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (leftovers.some(([, pid]) => alive(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const [, pid] of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(file, { force: true });
  return leftovers.length;
}
