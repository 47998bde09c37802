import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScaler, decimalPlaces, unscale } from '../src/scaling.js';

describe('scaling', () => {
  it('produces the nearest decimal, not the float product', () => {
    expect(3 * 0.1).not.toBe(0.3);
    expect(createScaler(0.1, 0)(3)).toBe(0.3);
    expect(createScaler(0.1, 0)(2345)).toBe(234.5);
    expect(createScaler(0.01, 0)(23012)).toBe(230.12);
    expect(createScaler(0.001, -1)(1999)).toBe(0.999);
    expect(createScaler(0.1, 273.15)(-2731)).toBe(0.05);
    expect(createScaler(10, 0)(7)).toBe(70);
    expect(createScaler(1e-7, 0)(3)).toBe(3e-7);
    expect(createScaler(1, 0)(1.25)).toBe(1.25);
  });

  it('agrees with the decimal string of the exact result', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.constantFrom(0.1, 0.01, 0.001, 0.5, 2, 0.25), fc.constantFrom(0, -40, 0.5, 100.1), (raw, scale, offset) => {
        const v = createScaler(scale, offset)(raw);
        const d = Math.max(decimalPlaces(scale), decimalPlaces(offset));
        // The exact value as a decimal string, computed with BigInt.
        const scaleInt = BigInt(Math.round(scale * 10 ** d));
        const offsetInt = BigInt(Math.round(offset * 10 ** d));
        const n = BigInt(raw) * scaleInt + offsetInt;
        const neg = n < 0n;
        const abs = (neg ? -n : n).toString().padStart(d + 1, '0');
        const text = `${neg ? '-' : ''}${abs.slice(0, abs.length - d)}${d ? '.' + abs.slice(abs.length - d) : ''}`;
        expect(v).toBe(Number(text));
      }),
    );
  });

  it('inverts for writes', () => {
    expect(unscale(234.5, 0.1, 0)).toBe(2345);
    expect(unscale(0.05, 0.1, 273.15)).toBe(-2731);
  });
});
