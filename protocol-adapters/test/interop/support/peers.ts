import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

/**
 * Peers no one here wrote, started by the tests on 127.0.0.1: pymodbus and asyncua from
 * PyPI in a venv under the git-ignored .engines/ folder (created on first use), socat pty
 * pairs, mbpoll. Every process is stopped by the returned stop().
 */
const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const VENV = path.join(REPO, '.engines', 'py-interop');
export const PEERS_DIR = fileURLToPath(new URL('../peers/', import.meta.url));
/** Pinned so that the peers' APIs do not move under the tests. */
const REQUIREMENTS = ['pymodbus[serial]==3.6.9', 'asyncua==1.1.8'];
const STAMP = path.join(VENV, 'dcmms-requirements.txt');

export const python = (): string => path.join(VENV, 'bin', 'python');

/** Creates the venv and installs the pinned peers, unless already done for these pins. */
export async function ensurePythonPeers(): Promise<void> {
  const want = REQUIREMENTS.join('\n');
  if (fs.existsSync(python()) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === want) return;
  fs.mkdirSync(path.dirname(VENV), { recursive: true });
  await run('python3', ['-m', 'venv', VENV], { timeout: 120_000 });
  await run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...REQUIREMENTS], { timeout: 280_000 });
  fs.writeFileSync(STAMP, want);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Peer {
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns a process and resolves once a line of its stdout matches `ready`. */
export function startPeer(command: string, args: readonly string[], ready: RegExp, timeoutMs = 60_000): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const peer: Peer = {
      process: child,
      output: () => out,
      stop: () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const t = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(t);
            done();
          });
          child.kill('SIGTERM');
        }),
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not become ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(peer);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** A socat pseudo-terminal pair: bytes written to `a` come out of `b` and back. */
export async function startPtyPair(): Promise<{ a: string; b: string; stop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcmms-pty-'));
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const peer = await startPeer('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], /starting data transfer loop/);
  return {
    a,
    b,
    stop: async () => {
      await peer.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function mbpoll(args: readonly string[]): Promise<string> {
  const { stdout } = await run('mbpoll', [...args], { timeout: 30_000 });
  return stdout;
}
