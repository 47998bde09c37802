import { CodecError } from './errors.js';

const MIN_CAPACITY = 64 * 1024;
/** Largest single `ensure` the encoders ask for (a 4096-unit string at 3 bytes + its length). */
const MAX_ENSURE = 16 * 1024;

/**
 * A growable byte buffer, reused across encode calls so the hot path does not allocate.
 * `limit` bounds growth: an oversized batch fails with TOO_LARGE long before it could
 * exhaust memory (a 200,000-reading batch of 4 KiB strings would be gigabytes).
 */
export class ByteWriter {
  buf: Buffer;
  pos = 0;
  limit: number;

  constructor(limit: number, capacity = MIN_CAPACITY) {
    this.limit = limit;
    this.buf = Buffer.allocUnsafe(capacity);
  }

  reset(limit: number): void {
    this.pos = 0;
    this.limit = limit;
  }

  /** Room for `n` more bytes; growth stops at `limit` plus the largest single write. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const needed = this.pos + n;
    if (needed > this.limit + MAX_ENSURE) {
      throw new CodecError('DCMMS_CODEC_TOO_LARGE', `encoded body exceeds ${this.limit} bytes: split the batch`, {
        details: { limit: this.limit },
      });
    }
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, this.limit + MAX_ENSURE));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Big-endian 32-bit word (float bit patterns: the sign/exponent byte first compresses best). */
  u32be(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Copy `src[start, end)`. Short copies (tag suffixes) in a loop: cheaper than a native call. */
  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n <= 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = start; i < end; i++) buf[p++] = src[i] as number;
    } else {
      this.buf.set(src.subarray(start, end), this.pos);
    }
    this.pos += n;
  }

  /** 0 <= v <= 2^53-1, integral (callers guarantee it). */
  varUint(v: number): void {
    this.ensure(8);
    const buf = this.buf;
    let p = this.pos;
    while (v > 0x7fffffff) {
      buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  /** Any safe integer; see varint.ts for why large values are split by hand. */
  varSint(d: number): void {
    if (d < 0x40000000 && d >= -0x40000000) {
      this.varUint(d >= 0 ? d * 2 : -d * 2 - 1);
      return;
    }
    const sign = d < 0 ? 1 : 0;
    const mag = d < 0 ? -d - 1 : d;
    this.ensure(1);
    this.buf[this.pos++] = ((mag % 64) * 2 + sign) | 0x80; // mag >= 2^30, so more bytes follow
    this.varUint(Math.floor(mag / 64));
  }

  /**
   * UTF-8 of `s` prefixed by its byte length. ASCII, the common case for tags and reasons,
   * is copied in a JS loop; anything else goes through Buffer's encoder.
   */
  lengthPrefixedUtf8(s: string): void {
    const units = s.length;
    // Room for the worst case, plus the scratch gap used when the prefix needs 2 bytes.
    this.ensure(units * 3 + 8);
    const start = this.pos;
    let ascii = true;
    // Guess the length prefix takes one byte; move the bytes if it takes more.
    let p = start + 1;
    const buf = this.buf;
    for (let i = 0; i < units; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      buf[p++] = c;
    }
    const byteLength = ascii ? units : buf.write(s, start + 1, units * 3, 'utf8');
    if (byteLength < 0x80) {
      buf[start] = byteLength;
      this.pos = start + 1 + byteLength;
      return;
    }
    buf.copyWithin(start + 8, start + 1, start + 1 + byteLength);
    this.pos = start;
    this.varUint(byteLength);
    this.buf.copyWithin(this.pos, start + 8, start + 8 + byteLength);
    this.pos += byteLength;
  }
}
