import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { DemoError } from './errors.js';
import { REPO_ROOT } from './options.js';

export type CloudRole = 'gateway' | 'worker' | 'api';

export interface RoleProcess {
  readonly role: CloudRole;
  readonly pid: number;
  readonly logFile: string;
  /** The role's first log line matching its ready pattern, parsed (pino JSON). */
  readonly ready: Promise<Record<string, unknown>>;
  /** SIGTERM (the role's graceful stop), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const READY: Readonly<Record<CloudRole, RegExp>> = {
  gateway: /"msg":"gateway ready"/,
  worker: /"msg":"worker ready"/,
  api: /"msg":"api listening"/,
};

/**
 * A cloud role as its own process (`dcmms-cloud <role>` from source), exactly as a
 * deployment runs it. Its own process group, so a Ctrl-C in the terminal reaches only the
 * demo, which then stops the edge first and the roles after it, in order. Logs (JSON lines)
 * go to `<logsDir>/<role>.log`; the last ones are quoted when the role fails to start.
 */
export function startRole(role: CloudRole, env: Record<string, string>, logsDir: string, readyTimeoutMs = 120_000): RoleProcess {
  const logFile = join(logsDir, `${role}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dcmms-source', 'cloud/src/main.ts', role], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // If the demo itself dies, its roles must not outlive it holding the ports.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      out.end();
      resolve(code ?? (signal ? 128 : null));
    }),
  );
  const tail: string[] = [];
  let partial = '';
  let onLine: ((line: string) => void) | null = null;
  const feed = (chunk: Buffer) => {
    out.write(chunk);
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      onLine?.(line);
    }
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);

  const failure = (why: string) => new DemoError('DCMMS_DEMO_ROLE_FAILED', `the ${role} role ${why}; its last log lines (all of them in ${logFile}):\n${tail.slice(-15).map((l) => `  ${l}`).join('\n')}`, { details: { role, logFile } });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(failure(`was not ready within ${readyTimeoutMs / 1000} s`)), readyTimeoutMs);
    onLine = (line) => {
      if (!READY[role].test(line)) return;
      clearTimeout(timer);
      onLine = null;
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        resolve({});
      }
    };
    void exited.then((code) => {
      clearTimeout(timer);
      // After a successful start this settles nothing (the promise is already resolved).
      reject(failure(`exited with code ${code}`));
    });
  });
  ready.catch(() => undefined);

  return {
    role,
    pid: child.pid!,
    logFile,
    ready,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(force);
      }
    },
  };
}
