import { createHash } from 'node:crypto';
import type { Reading, TelemetryBatch } from '@dcmms/shared';
import { storedValue } from '../../src/stores/telemetry/rows.js';

/**
 * Readings shaped like a small plant's (ARCHITECTURE.md "Values as devices produce them"):
 * scaled registers, a growing energy counter, float32 ADC values, a state word, a trip bit,
 * a nameplate string, and now and then a timed-out poll (bad, no value).
 */
export function plantBatches(site: string, options: { batches: number; tags?: number; startMs?: number; periodMs?: number; firstSeq?: number }): TelemetryBatch[] {
  const tags = options.tags ?? 40;
  const period = options.periodMs ?? 1000;
  const start = options.startMs ?? Date.UTC(2026, 0, 5, 6, 0, 0);
  let energy = 123_456.7;
  const out: TelemetryBatch[] = [];
  for (let b = 0; b < options.batches; b++) {
    const ts = start + b * period;
    const readings: Reading[] = [];
    for (let t = 0; t < tags; t++) {
      const tag = `inv${Math.floor(t / 10) + 1}.${['v_ac', 'i_ac', 'p_ac', 'e_total', 'temp', 'state', 'trip', 'freq', 'pf', 'model'][t % 10]}`;
      const k = (b * 31 + t * 17) % 97;
      let value: Reading['value'];
      switch (t % 10) {
        case 0: value = (2300 + k) / 10; break;
        case 1: value = (1500 + k) * 0.01; break;
        case 2: value = Math.fround(1000 + k * 3.7); break;
        case 3: value = Math.round((energy += 0.1) * 10) / 10; break;
        case 4: value = Math.fround(41.5 + k / 8); break;
        case 5: value = k % 4; break;
        case 6: value = k === 3; break;
        case 7: value = (4990 + (k % 20)) / 100; break;
        case 8: value = (950 + (k % 50)) / 1000; break;
        default: value = 'SUN2000-100KTL'; break;
      }
      if ((b * tags + t) % 211 === 7) readings.push({ tag, ts, value: null, quality: 'bad', reason: 'timeout' });
      else readings.push({ tag, ts, value, quality: 'good' });
    }
    out.push({ site, stream: 'live', seq: (options.firstSeq ?? 1) + b, createdAt: ts + 40, readings });
  }
  return out;
}

/** One line per stored reading, as the tables hold it: the unit the equality checks compare. */
export function rowKey(site: string, tag: string, ts: number, value: number | null, text: string | null): string {
  return `${site}\u0001${tag}\u0001${ts}\u0001${value === null ? (text === null ? 'null' : `s:${text}`) : String(value)}`;
}

export function expectedKeys(batches: readonly TelemetryBatch[]): string[] {
  const keys = new Set<string>();
  for (const b of batches) for (const r of b.readings) {
    const v = storedValue(r.value);
    keys.add(rowKey(b.site, r.tag, r.ts, v.value, v.text));
  }
  return [...keys];
}

/** Count and checksum of (site, tag, ts, value): order-independent, duplicates change the count. */
export function checksum(keys: readonly string[]): { count: number; sha256: string } {
  const h = createHash('sha256');
  for (const k of [...keys].sort()) h.update(k).update('\n');
  return { count: keys.length, sha256: h.digest('hex') };
}
