import type { Reading } from '@dcmms/shared';

/**
 * Alarm conditions: whether a point's condition holds, from its readings (or the clock),
 * with hysteresis and on/off delays. Pure functions over small state objects.
 */

/** The debounced condition: `active` flips only after the wanted value held for the delay. */
export interface Debounced {
  active: boolean;
  /** When the wanted value first differed from `active`; null when they agree. */
  since: number | null;
}

export const newDebounced = (): Debounced => ({ active: false, since: null });

/** Applies `wanted` at `ts`; returns true when `active` changed. */
export function debounce(d: Debounced, wanted: boolean, ts: number, onDelayMs: number, offDelayMs: number): boolean {
  if (wanted === d.active) {
    d.since = null;
    return false;
  }
  if (d.since === null) d.since = ts;
  const delay = wanted ? onDelayMs : offDelayMs;
  if (ts - d.since < delay) return false;
  d.active = wanted;
  d.since = null;
  return true;
}

/** Numeric value of a reading an analog rule can use: good or uncertain, a finite number. */
export function analogValue(r: Reading): number | null {
  if (r.quality === 'bad' || typeof r.value !== 'number' || !Number.isFinite(r.value)) return null;
  return r.value;
}

/**
 * Threshold with hysteresis: a high limit is entered at value >= limit and left below
 * limit - deadband (a low limit mirrors it), so a value hovering at the limit does not chatter.
 */
export function thresholdWanted(direction: 'high' | 'low', active: boolean, value: number, limit: number, deadband: number): boolean {
  if (direction === 'high') return active ? value >= limit - deadband : value >= limit;
  return active ? value <= limit + deadband : value <= limit;
}

export interface RateState {
  prevValue: number | null;
  prevTs: number | null;
}

/** Absolute change per second since the previous usable reading; null for the first one or a non-advancing clock. */
export function ratePerSecond(s: RateState, value: number, ts: number): number | null {
  const { prevValue, prevTs } = s;
  s.prevValue = value;
  s.prevTs = ts;
  if (prevValue === null || prevTs === null || ts <= prevTs) return null;
  return Math.abs(value - prevValue) / ((ts - prevTs) / 1000);
}

/** Trip bits: true, or a non-zero number, is "tripped" unless the rule inverts it. */
export function tripWanted(r: Reading, activeWhen: boolean): boolean | null {
  if (r.quality === 'bad') return null;
  if (typeof r.value === 'boolean') return r.value === activeWhen;
  if (typeof r.value === 'number' && !Number.isNaN(r.value)) return r.value !== 0 === activeWhen;
  return null;
}

/** Readings that count as "data" for stale detection: a value that is not bad. */
export const isData = (r: Reading): boolean => r.quality !== 'bad' && r.value !== null;
