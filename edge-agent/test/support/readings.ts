import type { Reading } from '@dcmms/shared';

/**
 * Readings shaped like a polled plant: `tags` registers read every `periodMs`, integer
 * counts times a decimal scale (what Modbus adapters produce), one timestamp per cycle.
 */
export function plantCycle(cycle: number, tags: number, startMs = 1_700_000_000_000, periodMs = 1000): Reading[] {
  const ts = startMs + cycle * periodMs;
  const out: Reading[] = [];
  for (let t = 0; t < tags; t++) {
    out.push({ tag: `dev-${Math.floor(t / 50)}/reg-${t % 50}`, ts, value: Math.round(2300 + 10 * Math.sin(cycle / 7 + t)) / 10, quality: 'good' });
  }
  return out;
}

/** `tag@ts` keys: what end-to-end checks compare as sets. */
export const keyOf = (r: { tag: string; ts: number }): string => `${r.tag}@${r.ts}`;
