import { corrupt } from './reader.js';
import type { ByteReader } from './reader.js';
import type { ByteWriter } from './writer.js';
import {
  MAX_DECIMAL_EXPONENT,
  MAX_DECIMAL_MANTISSA,
  MODE_DIV_BASE,
  MODE_FLOAT32,
  MODE_FLOAT64,
  MODE_MUL_BASE,
} from './format.js';

/**
 * Numeric series: the finite numbers of one tag in one batch, in batch order. Each series
 * gets the cheapest exact mode found by scanning it; every mode reproduces the doubles bit
 * for bit (NaN, infinities and -0 never reach a series: they are reading kinds).
 *
 * A series' first value is either absolute, or predicted from its family's previous series
 * (an "anchor": that series' first mantissa for decimals, first bit pattern for float32).
 * With one reading per tag per batch (a 1 s batch of a 1 s poll) there is no earlier value
 * of the same tag to delta against, and the same point on the previous device is the
 * best guess: measured on the bench profile it takes decimal values from 1.35 to 1.07
 * bytes per reading after compression.
 */

// 10^k and 10^-k as doubles; 10^k is exact for k <= 22, 10^-k is the nearest double.
const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const POW10_NEG: readonly number[] = [1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9];
const LAST_DECIMAL_MODE = MODE_MUL_BASE + MAX_DECIMAL_EXPONENT;

// Bit access to floats. Typed-array views use the platform's byte order; `HI` picks the
// word holding sign and exponent so the format is the same on any host.
const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

export function isDecimalMode(mode: number): boolean {
  return mode <= LAST_DECIMAL_MODE;
}

export function isValidMode(mode: number): boolean {
  return mode <= LAST_DECIMAL_MODE || mode === MODE_FLOAT32 || mode === MODE_FLOAT64;
}

/** Modes a later series of the family may take over ("as family"). */
export function isPredictableMode(mode: number): boolean {
  return mode <= LAST_DECIMAL_MODE || mode === MODE_FLOAT32;
}

/**
 * Whether a series in `mode` predicts its first value from a family series in `previous`:
 * both float32 (bit patterns), or both decimal with the same exponent, division or
 * multiplication alike (the mantissa of 400.1 is 4001 either way, and two inverter models
 * scaling their registers differently are still the same kind of point). Implied by the
 * modes, so it costs no flag.
 */
export function predicts(previous: number, mode: number): boolean {
  if (previous < 0) return false;
  if (mode === MODE_FLOAT32) return previous === MODE_FLOAT32;
  if (mode > LAST_DECIMAL_MODE || previous > LAST_DECIMAL_MODE) return false;
  return previous % MODE_MUL_BASE === mode % MODE_MUL_BASE;
}

/** `v` (finite, not -0) as m / 10^k with |m| < 2^50. */
function fitsDiv(v: number, k: number): boolean {
  const p = POW10[k] as number;
  const m = Math.round(v * p);
  return m / p === v && Math.abs(m) < MAX_DECIMAL_MANTISSA;
}

/** `v` as m * 10^-k (what `raw * 0.1` produced) with |m| < 2^50. */
function fitsMul(v: number, k: number): boolean {
  const m = Math.round(v * (POW10[k] as number));
  return m * (POW10_NEG[k] as number) === v && Math.abs(m) < MAX_DECIMAL_MANTISSA;
}

/**
 * Smallest k such that every value is m / 10^k. One pass suffices: if v = m / 10^a
 * (correctly rounded) then v = (m * 10^(b-a)) / 10^b for b > a, the same real number
 * rounded the same way, so values accepted at a smaller k stay exact when k grows; only
 * their mantissas grow, and `maxAbsM` tracks that against the 2^50 bound.
 */
function scanDiv(vals: Float64Array, start: number, end: number): number {
  let k = 0;
  let maxAbsM = 0;
  for (let i = start; i < end; i++) {
    const v = vals[i] as number;
    const m = Math.round(v * (POW10[k] as number));
    if (m / (POW10[k] as number) === v && Math.abs(m) < MAX_DECIMAL_MANTISSA) {
      const a = Math.abs(m);
      if (a > maxAbsM) maxAbsM = a;
      continue;
    }
    let next = k + 1;
    while (next <= MAX_DECIMAL_EXPONENT && !fitsDiv(v, next)) next++;
    if (next > MAX_DECIMAL_EXPONENT) return -1;
    maxAbsM *= POW10[next - k] as number;
    if (maxAbsM >= MAX_DECIMAL_MANTISSA) return -1;
    k = next;
    const a = Math.abs(Math.round(v * (POW10[k] as number)));
    if (a > maxAbsM) maxAbsM = a;
  }
  return k;
}

/** Multiplication has no such monotonicity, so a larger k rescans the series from its start. */
function scanMul(vals: Float64Array, start: number, end: number): number {
  let k = 0;
  for (let i = start; i < end; i++) {
    const v = vals[i] as number;
    if (fitsMul(v, k)) continue;
    let next = k + 1;
    while (next <= MAX_DECIMAL_EXPONENT && !fitsMul(v, next)) next++;
    if (next > MAX_DECIMAL_EXPONENT) return -1;
    k = next;
    i = start - 1;
  }
  return k;
}

function allFloat32(vals: Float64Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const v = vals[i] as number;
    if (Math.fround(v) !== v) return false;
  }
  return true;
}

/** The cheapest exact mode for `vals[start, end)` (non-empty, finite, no -0). */
export function chooseMode(vals: Float64Array, start: number, end: number): number {
  const div = scanDiv(vals, start, end);
  if (div >= 0) return MODE_DIV_BASE + div;
  const mul = scanMul(vals, start, end);
  if (mul >= 0) return MODE_MUL_BASE + mul;
  return allFloat32(vals, start, end) ? MODE_FLOAT32 : MODE_FLOAT64;
}

/** Whether every value of the series is exact in `mode` (a predictable one). */
export function fitsMode(mode: number, vals: Float64Array, start: number, end: number): boolean {
  if (mode === MODE_FLOAT32) return allFloat32(vals, start, end);
  const isDiv = mode < MODE_MUL_BASE;
  const k = isDiv ? mode - MODE_DIV_BASE : mode - MODE_MUL_BASE;
  for (let i = start; i < end; i++) {
    const v = vals[i] as number;
    if (!(isDiv ? fitsDiv(v, k) : fitsMul(v, k))) return false;
  }
  return true;
}

/**
 * Write `vals[start, end)` in `mode`. With `predicted`, the first value is coded against
 * `anchor`, the first mantissa or bit pattern of the family's previous series. Returns this
 * series' anchor.
 */
export function writeSeries(
  w: ByteWriter,
  mode: number,
  vals: Float64Array,
  start: number,
  end: number,
  predicted: boolean,
  anchor: number,
): number {
  if (mode <= LAST_DECIMAL_MODE) {
    const isDiv = mode < MODE_MUL_BASE;
    const k = isDiv ? mode - MODE_DIV_BASE : mode - MODE_MUL_BASE;
    const p = POW10[k] as number;
    const q = isDiv ? p : (POW10_NEG[k] as number);
    let prev = predicted ? anchor : 0;
    let first = 0;
    for (let i = start; i < end; i++) {
      const v = vals[i] as number;
      const m = Math.round(v * p);
      // The scan proved this; a mismatch here is a bug in the scan, not bad input.
      if ((isDiv ? m / q : m * q) !== v) throw new Error(`codec bug: decimal mode ${mode} does not reproduce ${v}`);
      w.varSint(m - prev);
      if (i === start) first = m;
      prev = m;
    }
    return first;
  }
  if (mode === MODE_FLOAT32) {
    f32[0] = vals[start] as number;
    const first = f32Bits[0] as number;
    if (predicted) w.varUint((first ^ anchor) >>> 0);
    else w.u32be(first);
    let prev = first;
    for (let i = start + 1; i < end; i++) {
      f32[0] = vals[i] as number;
      const bits = f32Bits[0] as number;
      w.varUint((bits ^ prev) >>> 0);
      prev = bits;
    }
    return first;
  }
  f64[0] = vals[start] as number;
  let prevHi = f64Words[HI] as number;
  let prevLo = f64Words[LO] as number;
  w.u32be(prevHi);
  w.u32be(prevLo);
  for (let i = start + 1; i < end; i++) {
    f64[0] = vals[i] as number;
    const hi = f64Words[HI] as number;
    const lo = f64Words[LO] as number;
    w.varUint((hi ^ prevHi) >>> 0);
    w.varUint((lo ^ prevLo) >>> 0);
    prevHi = hi;
    prevLo = lo;
  }
  return 0;
}

function readWord(r: ByteReader): number {
  const x = r.varUint();
  if (x > 0xffffffff) throw corrupt('float XOR word exceeds 32 bits');
  return x;
}

/** Inverse of writeSeries; rejects what the writer never produces (NaN, infinities, -0). */
export function readSeries(
  r: ByteReader,
  mode: number,
  out: Float64Array,
  start: number,
  end: number,
  predicted: boolean,
  anchor: number,
): number {
  if (mode <= LAST_DECIMAL_MODE) {
    const isDiv = mode < MODE_MUL_BASE;
    const q = isDiv ? (POW10[mode - MODE_DIV_BASE] as number) : (POW10_NEG[mode - MODE_MUL_BASE] as number);
    let m = predicted ? anchor : 0;
    let first = 0;
    for (let i = start; i < end; i++) {
      m += r.varSint();
      if (!(m < MAX_DECIMAL_MANTISSA && m > -MAX_DECIMAL_MANTISSA)) throw corrupt('decimal mantissa out of range');
      if (i === start) first = m;
      out[i] = isDiv ? m / q : m * q;
    }
    return first;
  }
  if (mode === MODE_FLOAT32) {
    const first = predicted ? (anchor ^ readWord(r)) >>> 0 : r.u32be();
    let bits = first;
    for (let i = start; i < end; i++) {
      if (i > start) bits = (bits ^ readWord(r)) >>> 0;
      f32Bits[0] = bits;
      const v = f32[0] as number;
      if (!Number.isFinite(v) || Object.is(v, -0)) throw corrupt('non-finite or -0 number inside a float32 series');
      out[i] = v;
    }
    return first;
  }
  let hi = r.u32be();
  let lo = r.u32be();
  for (let i = start; i < end; i++) {
    if (i > start) {
      hi = (hi ^ readWord(r)) >>> 0;
      lo = (lo ^ readWord(r)) >>> 0;
    }
    f64Words[HI] = hi;
    f64Words[LO] = lo;
    const v = f64[0] as number;
    if (!Number.isFinite(v) || Object.is(v, -0)) throw corrupt('non-finite or -0 number inside a float64 series');
    out[i] = v;
  }
  return 0;
}

/**
 * Per-batch memory of each family's latest series: its mode and anchor. Stamped with a
 * batch number instead of cleared, so starting a batch costs nothing.
 */
export class FamilyState {
  private stamp = new Int32Array(0);
  private modes = new Uint8Array(0);
  private anchors = new Float64Array(0);
  private batch = 0;

  begin(families: number): void {
    if (this.stamp.length < families) {
      const size = Math.max(families, 256, this.stamp.length * 2);
      this.stamp = new Int32Array(size);
      this.modes = new Uint8Array(size);
      this.anchors = new Float64Array(size);
      this.batch = 0;
    }
    if (this.batch === 0x3fffffff) {
      this.stamp.fill(0);
      this.batch = 0;
    }
    this.batch++;
  }

  /** The family's latest mode in this batch, or -1. */
  mode(family: number): number {
    return this.stamp[family] === this.batch ? (this.modes[family] as number) : -1;
  }

  setMode(family: number, mode: number): void {
    this.stamp[family] = this.batch;
    this.modes[family] = mode;
  }

  anchor(family: number): number {
    return this.anchors[family] as number;
  }

  setAnchor(family: number, anchor: number): void {
    this.anchors[family] = anchor;
  }
}
