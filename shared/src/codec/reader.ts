import { CodecError } from './errors.js';
import { MAX_VARINT_BYTES } from './varint.js';

/**
 * Cursor over a decoded body. Every read is bounds-checked against `end`; every varint is
 * capped at 2^53 - 1, so hostile bytes yield CodecError, never a RangeError or a wrong number.
 */
export class ByteReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw truncated();
    return this.buf[this.pos++] as number;
  }

  u32be(): number {
    if (this.pos + 4 > this.end) throw truncated();
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Advance past `n` bytes and return where they start. */
  skip(n: number): number {
    if (n > this.end - this.pos) throw truncated();
    const start = this.pos;
    this.pos += n;
    return start;
  }

  varUint(): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    if (p >= end) throw truncated();
    let b = buf[p++] as number;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    // Up to 4 bytes (28 bits) with bitwise ops, then multiplication for the rest.
    let v = b & 0x7f;
    let shift = 7;
    while (shift < 28) {
      if (p >= end) throw truncated();
      b = buf[p++] as number;
      v |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        this.pos = p;
        return v;
      }
    }
    let scale = 2 ** 28;
    for (let i = 4; i < MAX_VARINT_BYTES; i++) {
      if (p >= end) throw truncated();
      b = buf[p++] as number;
      v += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) {
        if (v > Number.MAX_SAFE_INTEGER) throw corrupt('varint exceeds 2^53 - 1');
        this.pos = p;
        return v;
      }
    }
    throw corrupt('varint longer than 8 bytes');
  }

  /**
   * Zigzag varint. The first byte carries the sign and the low 6 bits of the magnitude, the
   * rest is the varuint of magnitude / 64 (see varint.ts): the magnitude of a timestamp
   * delta may reach 2^53 while its zigzag form would not be an exact double.
   */
  varSint(): number {
    if (this.pos >= this.end) throw truncated();
    const first = this.buf[this.pos++] as number;
    if (first < 0x80) return first & 1 ? -(first >>> 1) - 1 : first >>> 1;
    const mag = this.varUint() * 64 + ((first >>> 1) & 0x3f);
    if (mag > Number.MAX_SAFE_INTEGER) throw corrupt('signed varint exceeds 2^53 - 1');
    return first & 1 ? -mag - 1 : mag;
  }
}

export function truncated(what = 'message'): CodecError {
  return new CodecError('DCMMS_CODEC_TRUNCATED', `${what} ends before a field it announces`);
}

export function corrupt(message: string, details?: Record<string, unknown>): CodecError {
  return new CodecError('DCMMS_CODEC_CORRUPT', message, details === undefined ? undefined : { details });
}
