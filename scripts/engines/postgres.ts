import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Engine } from './engine.js';
import { layout } from './layout.js';
import { isAlive, run, waitUntil } from './processes.js';
import type { EngineSettings } from './settings.js';

/** Debian's server binaries (package `postgresql`), newest major first, or an explicit PG_BIN. */
function findBin(): string {
  const explicit = process.env['PG_BIN'];
  if (explicit) return explicit;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) {
    throw new Error('PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin; set PG_BIN to override). Install them: apt-get install postgresql');
  }
  return join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root, so as root we run it as the `postgres` user Debian creates. */
function runAs(): { user: string; uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const r = run('id', ['-u', 'postgres']);
  const g = run('id', ['-g', 'postgres']);
  if (r.status !== 0) throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  return { user: 'postgres', uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export function postgresEngine(s: EngineSettings): Engine {
  const l = layout(s, 'postgres');
  const owner = runAs();
  // The data folder must be reachable by the server's user; under a private home it is not,
  // so then it lives in a folder of its own under the system temp dir, named after ours.
  const home = (() => {
    if (!owner) return l.home;
    mkdirSync(s.dir, { recursive: true });
    if (run('runuser', ['-u', owner.user, '--', 'test', '-x', s.dir]).status === 0) return l.home;
    return join(tmpdir(), `dcmms-postgres-${createHash('sha256').update(s.dir).digest('hex').slice(0, 12)}`);
  })();
  const data = join(home, 'data');
  let bin = '';
  const binDir = () => (bin ||= findBin());

  const pgctl = (...args: string[]) => {
    const cmd = join(binDir(), 'pg_ctl');
    return owner ? run('runuser', ['-u', owner.user, '--', cmd, ...args], { timeoutMs: 120_000 }) : run(cmd, args, { timeoutMs: 120_000 });
  };
  const postmasterPid = (): number | null => {
    const f = join(data, 'postmaster.pid');
    if (!existsSync(f)) return null;
    const pid = Number(readFileSync(f, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  };
  const connect = async (database: string) => {
    const c = new pg.Client({ host: s.host, port: s.postgres.port, user: s.postgres.user, password: s.postgres.password, database, connectionTimeoutMillis: 3000 });
    await c.connect();
    return c;
  };

  return {
    name: 'postgres',
    logFile: l.logFile,
    prepare() {
      binDir();
    },
    runningPid: () => postmasterPid(),
    async start() {
      mkdirSync(home, { recursive: true });
      mkdirSync(join(s.dir, 'logs'), { recursive: true });
      if (owner) chownSync(home, owner.uid, owner.gid);
      if (!existsSync(join(data, 'PG_VERSION'))) {
        // A data folder without PG_VERSION is what an interrupted initdb leaves: start it over.
        rmSync(data, { recursive: true, force: true });
        const pwfile = join(home, 'pwfile');
        writeFileSync(pwfile, `${s.postgres.password}\n`, { mode: 0o600 });
        if (owner) chownSync(pwfile, owner.uid, owner.gid);
        const cmd = join(binDir(), 'initdb');
        const args = ['-D', data, '-U', s.postgres.user, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'];
        const r = owner ? run('runuser', ['-u', owner.user, '--', cmd, ...args], { timeoutMs: 120_000 }) : run(cmd, args, { timeoutMs: 120_000 });
        rmSync(pwfile, { force: true });
        if (r.status !== 0) throw new Error(`initdb failed:\n${r.stdout}\n${r.stderr}`);
      }
      // The log sits with the data (the server's user must be able to write it); `logFile` links to it.
      const serverLog = join(home, 'server.log');
      const opts = `-p ${s.postgres.port} -c listen_addresses=${s.host} -c unix_socket_directories= -c max_connections=200 -c fsync=on`;
      const r = pgctl('-D', data, '-l', serverLog, '-o', opts, '-w', '-t', '90', 'start');
      rmSync(l.logFile, { force: true });
      writeFileSync(l.logFile, `PostgreSQL writes its log to ${serverLog}\n`);
      if (r.status !== 0) throw new Error(`PostgreSQL did not start:\n${r.stdout}\n${r.stderr}\n${existsSync(serverLog) ? readFileSync(serverLog, 'utf8').split('\n').slice(-20).join('\n') : ''}`);
    },
    async probe() {
      const c = await connect('postgres');
      try {
        await c.query('select 1');
        return true;
      } finally {
        await c.end();
      }
    },
    async waitReady() {
      await waitUntil('PostgreSQL', () => this.probe(), { timeoutMs: s.readyTimeoutMs, alive: () => postmasterPid() !== null, logFile: join(home, 'server.log') });
      const c = await connect('postgres');
      try {
        const exists = await c.query('select 1 from pg_database where datname = $1', [s.postgres.database]);
        if (exists.rowCount === 0) await c.query(`create database ${s.postgres.database}`);
      } finally {
        await c.end();
      }
    },
    async stop() {
      if (postmasterPid() === null) return;
      const r = pgctl('-D', data, '-m', 'fast', '-w', '-t', '60', 'stop');
      if (r.status !== 0 && postmasterPid() !== null) throw new Error(`PostgreSQL did not stop:\n${r.stderr}`);
    },
    wipe() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
