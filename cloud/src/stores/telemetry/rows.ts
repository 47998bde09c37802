import type { ReadingValue, TelemetryBatch } from '@dcmms/shared';
import type { TelemetryRow } from '../../ports/telemetry-store.js';

/**
 * How a reading's value is stored: numbers as they are, booleans as 0/1, strings in the
 * text column; NaN and +-Infinity have no SQL value, so they become null (the reading's
 * quality already says the device sent garbage).
 */
export function storedValue(value: ReadingValue): { value: number | null; text: string | null } {
  if (typeof value === 'number') return { value: Number.isFinite(value) ? value : null, text: null };
  if (typeof value === 'boolean') return { value: value ? 1 : 0, text: null };
  if (typeof value === 'string') return { value: null, text: value };
  return { value: null, text: null };
}

/** One row per reading of a batch, stamped with where it came from and when the cloud got it. */
export function rowsOfBatch(batch: TelemetryBatch, receivedAt: number, assetOf: (tag: string) => string | null = () => null): TelemetryRow[] {
  const rows: TelemetryRow[] = new Array<TelemetryRow>(batch.readings.length);
  for (let i = 0; i < batch.readings.length; i++) {
    const r = batch.readings[i]!;
    const { value, text } = storedValue(r.value);
    rows[i] = { site: batch.site, asset: assetOf(r.tag), tag: r.tag, ts: r.ts, value, text, quality: r.quality, receivedAt };
  }
  return rows;
}
