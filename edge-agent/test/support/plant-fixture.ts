import { afterEach, beforeEach } from 'vitest';
import { startModbusSimulator, type ModbusSimulator } from '@dcmms/protocol-adapters';
import { tempDir } from './temp-dir.js';

/** What every agent test starts from: a folder of its own and a PV inverter on Modbus TCP. */
export interface PlantFixture {
  readonly dir: ReturnType<typeof tempDir>;
  readonly sim: ModbusSimulator;
  /** Runs after the test, newest first, before the simulator stops and the folder goes. */
  defer(cleanup: () => Promise<unknown> | void): void;
}

/** Registers the per-test set-up and tear-down; read `dir` and `sim` inside a test. */
export function usePlantFixture(seed: number): PlantFixture {
  let dir: ReturnType<typeof tempDir> | undefined;
  let sim: ModbusSimulator | undefined;
  const cleanups: (() => Promise<unknown> | void)[] = [];
  beforeEach(async () => {
    dir = tempDir();
    sim = await startModbusSimulator({ profile: 'pv-inverter', seed });
    const started = sim;
    cleanups.push(() => started.stop());
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
    dir?.cleanup();
  });
  const current = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the plant fixture's ${what} is only there inside a test`);
    return value;
  };
  return {
    get dir() {
      return current(dir, 'folder');
    },
    get sim() {
      return current(sim, 'simulator');
    },
    defer: (cleanup) => void cleanups.push(cleanup),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
