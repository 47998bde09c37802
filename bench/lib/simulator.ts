/** The device simulator (dcmms-sim) in a child process, so its CPU is not the bench's. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child.js';

const CLI = fileURLToPath(new URL('../../protocol-adapters/src/simulators/cli.ts', import.meta.url));

export /** Resolves with the simulator's ready line and a stop function. */
function startChildSimulator(args: readonly string[]): Promise<{ info: { port: number; endpoint?: string }; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dcmms-source', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulator did not start:\n${out}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"event":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        info: JSON.parse(line) as { port: number; endpoint?: string },
        stop: () => stopChild(child, 3000),
      });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}:\n${out}`));
    });
  });
}
