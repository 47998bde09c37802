/**
 * Varint arithmetic shared by the byte writer and reader, exact for every safe integer.
 *
 * A varuint is LEB128: 7 bits per byte, low groups first, high bit = more follows. A
 * varsint is the zigzag form `2*mag + sign` (mag = d for d >= 0, -d-1 for d < 0) written
 * as a varuint. The zigzag value of a large delta (up to 2^54) is not an exact double, so
 * it is never materialised: the first byte carries the sign and the low 6 bits of mag, the
 * rest is the varuint of floor(mag / 64). Those are exactly the bytes of the classic
 * zigzag varint, computed without overflow. JS bitwise operators are 32-bit, so values
 * past 2^31 use division instead of shifts.
 */

/** 8 groups of 7 bits cover 2^53 - 1, the largest value we accept. */
export const MAX_VARINT_BYTES = 8;

/** Bytes the varuint of `v` (0 <= v <= 2^53-1) takes. */
export function varUintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * Zigzag of a safe integer as an exact number when it fits (|d| < 2^52); beyond that the
 * result would round, which is why the writer never calls this for large values.
 */
export function zigzag(d: number): number {
  return d < 0 ? -2 * d - 1 : 2 * d;
}

export function unzigzag(z: number): number {
  // z % 2 and division instead of `& 1` / `>>> 1`: z may exceed 2^32.
  return z % 2 === 1 ? -(z - 1) / 2 - 1 : z / 2;
}
