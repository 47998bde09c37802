import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTelemetryBatch, encodeTelemetryBatch } from '@dcmms/shared';
import type { Reading, ReadingValue, TelemetryBatch } from '@dcmms/shared';
import { chooseMode, fitsMode, predicts } from '../src/codec/values.js';
import { MODE_FLOAT32, MODE_FLOAT64, MODE_MUL_BASE } from '../src/codec/format.js';
import { SPECIAL_NUMBERS, numberArb } from './codec-helpers.js';

const mode = (...values: number[]) => chooseMode(Float64Array.from(values), 0, values.length);

function batchOf(values: readonly ReadingValue[], tag = (i: number) => `dev/t${i % 3}`): TelemetryBatch {
  return {
    site: 'plant-7',
    stream: 'live',
    seq: 1,
    createdAt: 1_000_000,
    readings: values.map((value, i): Reading => ({ tag: tag(i), ts: 999_000 + i, value, quality: 'good' })),
  };
}

function roundTrip(values: readonly ReadingValue[], tag?: (i: number) => string): ReadingValue[] {
  const batch = batchOf(values, tag);
  const decoded = decodeTelemetryBatch(encodeTelemetryBatch(batch, { compression: 'none' }));
  expect(decoded).toStrictEqual(batch);
  return decoded.readings.map((r) => r.value);
}

describe('series mode selection', () => {
  it('stores decimal-scaled values as m / 10^k with the smallest k', () => {
    expect(mode(0)).toBe(0);
    expect(mode(1, 2, 3)).toBe(0);
    expect(mode(230.1)).toBe(1);
    expect(mode(230.1, 230.12, 230)).toBe(2);
    expect(mode(0.001)).toBe(3);
    expect(mode(1e-9)).toBe(9);
    expect(mode(-(2 ** 50 - 1))).toBe(0);
  });

  it('stores values scaled by multiplication (raw * 0.1) exactly', () => {
    const v = 2301 * 0.1;
    expect(v).not.toBe(230.1);
    expect(mode(v)).toBe(MODE_MUL_BASE + 1);
    expect(mode(35 * 0.01, 4157 * 0.01)).toBe(MODE_MUL_BASE + 2);
    expect(roundTrip([v, 35 * 0.01, 4157 * 0.01])).toStrictEqual([v, 35 * 0.01, 4157 * 0.01]);
  });

  it('keeps |m| below 2^50 and falls back to floats beyond', () => {
    expect(mode(2 ** 50 - 1)).toBe(0);
    expect(mode(2 ** 50)).toBe(MODE_FLOAT32); // a power of two is exact in float32
    expect(mode(2 ** 50 + 2)).toBe(MODE_FLOAT64);
    // Fine on their own, but k = 3 would push the big one's mantissa past 2^50.
    expect(mode(2 ** 45 + 1, 0.001)).toBe(MODE_FLOAT64);
  });

  it('uses float32 when every value is a float32, float64 otherwise', () => {
    expect(mode(Math.fround(0.1), Math.fround(230.17))).toBe(MODE_FLOAT32);
    expect(mode(2 ** -149)).toBe(MODE_FLOAT32);
    expect(mode(3.4028234663852886e38)).toBe(MODE_FLOAT32);
    expect(mode(Math.PI)).toBe(MODE_FLOAT64);
    // 0.1 + 0.2 === 3 * 0.1 in doubles, so it is a multiplied decimal.
    expect(mode(0.1 + 0.2)).toBe(MODE_MUL_BASE + 1);
    expect(mode(1e-300)).toBe(MODE_FLOAT64);
    expect(mode(Number.MAX_VALUE)).toBe(MODE_FLOAT64);
    expect(mode(Number.MIN_VALUE)).toBe(MODE_FLOAT64);
    expect(mode(1.5e-10)).toBe(MODE_FLOAT64);
  });

  it('checks a family mode against every value of a series', () => {
    const vals = Float64Array.from([230.1, 230.12]);
    expect(fitsMode(1, vals, 0, 1)).toBe(true);
    expect(fitsMode(1, vals, 0, 2)).toBe(false);
    expect(fitsMode(2, vals, 0, 2)).toBe(true);
    expect(fitsMode(MODE_FLOAT32, Float64Array.from([0.1]), 0, 1)).toBe(false);
  });

  it('predicts only between compatible modes', () => {
    expect(predicts(-1, 1)).toBe(false);
    expect(predicts(1, 1)).toBe(true);
    expect(predicts(MODE_MUL_BASE + 1, 1)).toBe(true);
    expect(predicts(2, 1)).toBe(false);
    expect(predicts(MODE_FLOAT32, MODE_FLOAT32)).toBe(true);
    expect(predicts(MODE_FLOAT32, 0)).toBe(false);
    expect(predicts(MODE_FLOAT64, MODE_FLOAT64)).toBe(false);
  });
});

describe('values round-trip bit-exactly', () => {
  it.each(SPECIAL_NUMBERS.map((v) => [v]))('%d', (v) => {
    const values = [v, v, 1.5, v, Math.fround(7.7), v];
    const out = roundTrip(values, () => 'dev/one');
    out.forEach((x, i) => expect(Object.is(x, values[i])).toBe(true));
  });

  it('keeps -0, NaN and the infinities inside otherwise decimal series', () => {
    const values = [230.1, -0, 230.2, NaN, 230.3, Infinity, -Infinity, 0, 230.4];
    expect(roundTrip(values, () => 'dev/v')).toStrictEqual(values);
  });

  it('canonicalises NaN payloads', () => {
    const f64 = new Float64Array(1);
    new Uint32Array(f64.buffer).set([1, 0x7ff80000]);
    const oddNaN = f64[0]!;
    expect(oddNaN).toBeNaN();
    const [out] = roundTrip([oddNaN]);
    expect(out).toBeNaN();
  });

  it('round-trips every kind of value in mixed series', () => {
    const values: ReadingValue[] = [true, false, null, '', 'on', 1, 2.5, Math.fround(1.1), 0.1 + 0.2, 'é😀', NaN, -0, 1e-300];
    expect(roundTrip(values)).toStrictEqual(values);
  });

  it('round-trips arbitrary numbers in one series and across families', () => {
    fc.assert(
      fc.property(fc.array(numberArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (values, devices) => {
        const out = roundTrip(values, (i) => `dev-${i % devices}/point`);
        out.forEach((x, i) => expect(Object.is(x, values[i])).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('predicts a first value from the family across division and multiplication', () => {
    // dev-a scales by division, dev-b by multiplication: same k, so dev-b's first value is a delta.
    const values = [400.1, 4002 * 0.1, 400.3, 4004 * 0.1];
    const tag = (i: number) => (i % 2 === 0 ? 'dev-a/ac_v' : 'dev-b/ac_v');
    expect(roundTrip(values, tag)).toStrictEqual(values);
  });
});
