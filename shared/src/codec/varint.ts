/**
 * Varint conventions shared by ByteWriter and ByteReader, exact for every safe integer.
 *
 * A varuint is LEB128: 7 bits per byte, low groups first, high bit = more follows; at most
 * 8 bytes, value at most 2^53 - 1. A varsint is the zigzag form `2*mag + sign` (mag = d for
 * d >= 0, -d-1 for d < 0) written as a varuint. The zigzag value of a large delta (up to
 * 2^54) is not an exact double, so it is never materialised: the first byte carries the
 * sign and the low 6 bits of mag, the rest is the varuint of floor(mag / 64). Those are
 * exactly the bytes of the classic zigzag varint, computed without overflow. JS bitwise
 * operators are 32-bit, so values past 2^31 use division instead of shifts.
 */

/** 8 groups of 7 bits cover 2^53 - 1, the largest value we accept. */
export const MAX_VARINT_BYTES = 8;

/** The varuint bytes of `v` (0 <= v <= 2^53-1), for the few places that write outside a ByteWriter. */
export function varUintBytes(v: number): number[] {
  const bytes: number[] = [];
  while (v >= 0x80) {
    bytes.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}
