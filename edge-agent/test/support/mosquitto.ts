import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Debian installs it in /usr/sbin (CI installs the package: see .ci/run). */
const BINARY = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));

export interface Mosquitto {
  readonly port: number;
  /** Stops the broker (SIGTERM: it writes its persistence file) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same config. */
  start(): Promise<void>;
  log(): string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A throw-away certificate for 127.0.0.1, which is its own CA (openssl). */
export function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server-cert.pem');
  const key = join(dir, 'server-key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=dcmms-test-broker', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

/**
 * mosquitto, the independent broker, as a child process on a free port with a generated
 * config: TLS and a password file when asked, persistence so sessions and queued QoS 1
 * messages survive a restart (as a production broker would be set up).
 */
export async function startMosquitto(dir: string, options: { tls?: { cert: string; key: string }; users?: Record<string, string> } = {}): Promise<Mosquitto> {
  if (BINARY === undefined) throw new Error('mosquitto is not installed (Debian: apt-get install -y mosquitto; .ci/run installs it)');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, 'persistence true', `persistence_location ${join(dir, 'data')}/`, 'max_queued_messages 100000', 'max_inflight_messages 100', 'log_dest stdout'];
  // Run as root, mosquitto drops to its own user, which cannot read this test's private temp folder.
  if (process.getuid?.() === 0) lines.push('user root');
  if (options.tls) lines.push(`certfile ${options.tls.cert}`, `keyfile ${options.tls.key}`);
  if (options.users) {
    const file = join(dir, 'passwords');
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(options.users)) execFileSync('mosquitto_passwd', ['-b', file, user, password], { stdio: 'pipe' });
    lines.push(`password_file ${file}`, 'allow_anonymous false');
  } else lines.push('allow_anonymous true');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let child: ChildProcess | null = null;
  let out = '';
  const start = async (): Promise<void> => {
    const c = spawn(BINARY, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`mosquitto exited with ${c.exitCode}:\n${out}\n${readFileSync(conf, 'utf8')}`);
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return { port, stop, start, log: () => out };
}
