import type { Engine } from './engine.js';
import { kafkaEngine } from './kafka.js';
import { postgresEngine } from './postgres.js';
import { questdbEngine } from './questdb.js';
import { ENGINE_NAMES, type EngineName, type EngineSettings } from './settings.js';

export function engines(s: EngineSettings, only: readonly EngineName[] = ENGINE_NAMES): Engine[] {
  const all: Record<EngineName, () => Engine> = { kafka: () => kafkaEngine(s), questdb: () => questdbEngine(s), postgres: () => postgresEngine(s) };
  return only.map((n) => all[n]());
}

export interface UpResult {
  readonly started: EngineName[];
  readonly alreadyRunning: EngineName[];
}

/**
 * Idempotent: an engine that is running and answers is left alone; the others are fetched
 * (once), started together, and waited for until each answers a real request.
 */
export async function up(s: EngineSettings, only?: readonly EngineName[], log: (line: string) => void = () => {}): Promise<UpResult> {
  const list = engines(s, only);
  const started: EngineName[] = [];
  const alreadyRunning: EngineName[] = [];
  for (const e of list) e.prepare();
  for (const e of list) {
    if (e.runningPid() !== null) {
      alreadyRunning.push(e.name);
      log(`${e.name}: already running (pid ${e.runningPid()})`);
      continue;
    }
    log(`${e.name}: starting`);
    await e.start();
    started.push(e.name);
  }
  // Waiting in parallel: the JVMs warm up side by side.
  await Promise.all(
    list.map(async (e) => {
      const t0 = Date.now();
      await e.waitReady();
      log(`${e.name}: ready (${Date.now() - t0} ms)`);
    }),
  );
  return { started, alreadyRunning };
}

export async function down(s: EngineSettings, only?: readonly EngineName[], options: { wipe?: boolean } = {}, log: (line: string) => void = () => {}): Promise<EngineName[]> {
  const stopped: EngineName[] = [];
  for (const e of engines(s, only)) {
    if (e.runningPid() !== null) {
      log(`${e.name}: stopping`);
      await e.stop();
      stopped.push(e.name);
    } else {
      log(`${e.name}: not running`);
    }
    if (options.wipe) {
      e.wipe();
      log(`${e.name}: data wiped`);
    }
  }
  return stopped;
}

export interface EngineStatus {
  readonly name: EngineName;
  readonly pid: number | null;
  readonly answering: boolean;
}

export async function status(s: EngineSettings, only?: readonly EngineName[]): Promise<EngineStatus[]> {
  return Promise.all(
    engines(s, only).map(async (e) => {
      const pid = e.runningPid();
      const answering = pid !== null && (await e.probe().catch(() => false));
      return { name: e.name, pid, answering };
    }),
  );
}
