/**
 * value = raw * scale + offset, produced as the nearest double to the exact decimal result.
 *
 * Devices report integers times a decimal scale (0.1 V, 0.01 A). Multiplying in floating
 * point gives 2345 * 0.1 = 234.50000000000003, which is not the value the device meant and
 * which the batch codec cannot store as a decimal-scaled integer. Scale and offset are
 * decimals with few digits, so the exact result is an integer divided by a power of ten:
 * computed in integers (exact below 2^53) and divided once, the division rounds correctly.
 */
export type Scaler = (raw: number) => number;

const identity: Scaler = (raw) => raw;

/** Digits after the decimal point of a number's shortest representation, or -1 if it has too many. */
export function decimalPlaces(n: number): number {
  const s = String(Math.abs(n));
  const e = s.indexOf('e');
  let mantissa = s;
  let exp = 0;
  if (e >= 0) {
    mantissa = s.slice(0, e);
    exp = Number(s.slice(e + 1));
  }
  const dot = mantissa.indexOf('.');
  const places = (dot < 0 ? 0 : mantissa.length - dot - 1) - exp;
  return places < 0 ? 0 : places > 15 ? -1 : places;
}

export function createScaler(scale: number, offset: number): Scaler {
  if (scale === 1 && offset === 0) return identity;
  const ds = decimalPlaces(scale);
  const dofs = decimalPlaces(offset);
  if (ds < 0 || dofs < 0) return (raw) => raw * scale + offset;
  const d = Math.max(ds, dofs);
  const pow = 10 ** d;
  const scaleInt = Math.round(scale * 10 ** ds) * 10 ** (d - ds);
  const offsetInt = Math.round(offset * 10 ** dofs) * 10 ** (d - dofs);
  return (raw) => {
    if (!Number.isInteger(raw)) return raw * scale + offset;
    const n = raw * scaleInt + offsetInt;
    // Past 2^53 the integer product is itself rounded; fall back to plain arithmetic.
    if (!Number.isSafeInteger(raw * scaleInt) || !Number.isSafeInteger(n)) return raw * scale + offset;
    return d === 0 ? n : n / pow;
  };
}

/** The inverse for writes: the raw integer (or float) to send for an engineering value. */
export function unscale(value: number, scale: number, offset: number): number {
  if (scale === 1 && offset === 0) return value;
  const d = Math.max(decimalPlaces(scale), decimalPlaces(offset));
  const raw = (value - offset) / scale;
  // (234.5 - 0) / 0.1 = 2344.9999999999995: snap to the integer the decimal arithmetic meant.
  if (d >= 0) {
    const r = Math.round(raw);
    if (Math.abs(raw - r) < 1e-9 * Math.max(1, Math.abs(r))) return r;
  }
  return raw;
}
