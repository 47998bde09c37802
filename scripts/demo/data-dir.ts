import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DemoError } from './errors.js';

/** Where `npm start` keeps everything between runs (git-ignored: .data/). */
export function dataLayout(root: string) {
  return Object.freeze({
    root,
    registry: join(root, 'registry.db'),
    telemetry: join(root, 'telemetry.db'),
    deadLetters: join(root, 'dead-letters'),
    opcuaSimulatorPki: join(root, 'simulators', 'opcua-pki'),
    edgeDir: join(root, 'edge'),
    edgeSiteFile: join(root, 'edge', 'site.yaml'),
    /** The demo edge's MQTT secret (the registry keeps only its hash): a restart reuses it. */
    edgeSecret: join(root, 'edge', 'site-secret'),
    logs: join(root, 'logs'),
    state: join(root, 'demo-state.json'),
    lock: join(root, 'demo.pid'),
    /** start:engines: the role processes of the running demo. */
    rolePids: join(root, 'roles.pids'),
  });
}
export type DataLayout = ReturnType<typeof dataLayout>;

const stateSchema = z.object({
  /** Simulator ports of the last run: reused so the site config (device addresses) stays the same version. */
  simulatorPorts: z.record(z.string(), z.number().int().min(1).max(65535)).default({}),
  /** Kafka consumer groups already positioned (start:engines): they resume from their offsets. */
  positionedGroups: z.array(z.string()).default([]),
});
export type DemoState = z.output<typeof stateSchema>;

export function readState(layout: DataLayout): DemoState {
  if (!existsSync(layout.state)) return stateSchema.parse({});
  try {
    return stateSchema.parse(JSON.parse(readFileSync(layout.state, 'utf8')));
  } catch {
    // Only hints live here (ports, groups): a damaged file costs a new config version, nothing more.
    return stateSchema.parse({});
  }
}

export function writeState(layout: DataLayout, state: DemoState): void {
  writeAtomic(layout.state, `${JSON.stringify(state, null, 2)}\n`);
}

/** Write-then-rename: a crash leaves the old file or the new one, never half of one. */
export function writeAtomic(path: string, text: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One demo per data folder: two would write the same SQLite files and fight over the edge's
 * MQTT session. A lock left by a process that died (kill -9) is taken over.
 */
export function lockDataDir(layout: DataLayout): () => void {
  try {
    mkdirSync(layout.root, { recursive: true });
    mkdirSync(layout.edgeDir, { recursive: true });
    mkdirSync(layout.logs, { recursive: true });
  } catch (err) {
    throw new DemoError('DCMMS_DEMO_DATA_DIR_INVALID', `cannot create the data folder ${layout.root}: ${(err as Error).message} (set DCMMS_DATA_DIR to a writable folder)`, { cause: err });
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(layout.lock, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(layout.lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(layout.lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DemoError('DCMMS_DEMO_DATA_DIR_BUSY', `another demo (pid ${pid}) is running on ${layout.root}: stop it first, or set DCMMS_DATA_DIR to another folder`, { details: { pid } });
      }
      rmSync(layout.lock, { force: true });
    }
  }
  throw new DemoError('DCMMS_DEMO_DATA_DIR_BUSY', `cannot take the lock ${layout.lock}`);
}
