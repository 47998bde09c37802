import type { Reading } from '@dcmms/shared';
import type { AdapterSink, DeviceStateEvent } from '../../src/adapter.js';

export interface CollectingSink extends AdapterSink {
  readonly all: Reading[];
  readonly states: DeviceStateEvent[];
  /** Readings received after the mark. */
  since(mark: number): Reading[];
  mark(): number;
}

export function collectingSink(): CollectingSink {
  const all: Reading[] = [];
  const states: DeviceStateEvent[] = [];
  return {
    all,
    states,
    readings: (_device, rs) => {
      all.push(...rs);
    },
    state: (e) => {
      states.push(e);
    },
    mark: () => all.length,
    since: (m) => all.slice(m),
  };
}

/** Polls `check` until it returns true; fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
