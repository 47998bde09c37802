import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../src/codec/writer.js';
import { ByteReader } from '../src/codec/reader.js';
import { varUintBytes } from '../src/codec/varint.js';
import { codecErrorOf, sint, uint } from './codec-helpers.js';

function written(fn: (w: ByteWriter) => void): number[] {
  const w = new ByteWriter(1 << 20, 16);
  fn(w);
  return [...w.buf.subarray(0, w.pos)];
}

const reader = (bytes: number[]) => new ByteReader(Buffer.from(bytes));

const UNSIGNED_EDGES = [0, 1, 127, 128, 255, 300, 2 ** 14 - 1, 2 ** 14, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 49, 2 ** 52, Number.MAX_SAFE_INTEGER];
const SIGNED_EDGES = [0, -1, 1, -64, 64, -65, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, -(2 ** 31), 2 ** 51, -(2 ** 51), 2 ** 52, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 8_640_000_000_000_000, -8_640_000_000_000_000];

describe('varuint', () => {
  it.each(UNSIGNED_EDGES)('writes %d as LEB128 and reads it back', (v) => {
    const bytes = written((w) => w.varUint(v));
    expect(bytes).toEqual(uint(v));
    expect(varUintBytes(v)).toEqual(uint(v));
    const r = reader(bytes);
    expect(r.varUint()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  it('matches the known encodings', () => {
    expect(written((w) => w.varUint(300))).toEqual([0xac, 0x02]);
    expect(written((w) => w.varUint(2 ** 53 - 1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('round-trips every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const bytes = written((w) => w.varUint(v));
        expect(bytes).toEqual(uint(v));
        expect(reader(bytes).varUint()).toBe(v);
      }),
    );
  });

  it('refuses values past 2^53 - 1 and encodings longer than 8 bytes', () => {
    codecErrorOf(() => reader(uint(2n ** 53n)).varUint(), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).varUint(), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).varUint(), 'DCMMS_CODEC_CORRUPT');
  });

  it('reports a varint cut short as truncated', () => {
    codecErrorOf(() => reader([]).varUint(), 'DCMMS_CODEC_TRUNCATED');
    codecErrorOf(() => reader([0x80]).varUint(), 'DCMMS_CODEC_TRUNCATED');
    codecErrorOf(() => reader([0xff, 0xff, 0xff, 0xff, 0xff]).varUint(), 'DCMMS_CODEC_TRUNCATED');
  });
});

describe('varsint (zigzag)', () => {
  it.each(SIGNED_EDGES)('writes %d as the classic zigzag varint and reads it back', (d) => {
    const bytes = written((w) => w.varSint(d));
    expect(bytes).toEqual(sint(d));
    expect(reader(bytes).varSint()).toBe(d);
  });

  it('maps small values like zigzag', () => {
    expect(written((w) => [0, -1, 1, -2, 2].forEach((d) => w.varSint(d)))).toEqual([0, 1, 2, 3, 4]);
    expect(written((w) => w.varSint(-64))).toEqual([0x7f]);
    expect(written((w) => w.varSint(64))).toEqual([0x80, 0x01]);
  });

  it('round-trips every safe integer, including magnitudes whose zigzag exceeds 2^53', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (d) => {
        const bytes = written((w) => w.varSint(d));
        expect(bytes).toEqual(sint(d));
        expect(reader(bytes).varSint()).toBe(d);
      }),
    );
  });

  it('refuses magnitudes past 2^53 - 1', () => {
    codecErrorOf(() => reader(sint(2n ** 53n)).varSint(), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => reader(sint(-(2n ** 53n) - 1n)).varSint(), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => reader([0x81]).varSint(), 'DCMMS_CODEC_TRUNCATED');
  });
});

describe('ByteWriter', () => {
  it('grows from a tiny buffer and keeps what was written', () => {
    const w = new ByteWriter(1 << 20, 4);
    for (let i = 0; i < 1000; i++) w.varUint(i * 1000);
    const r = new ByteReader(w.buf, 0, w.pos);
    for (let i = 0; i < 1000; i++) expect(r.varUint()).toBe(i * 1000);
  });

  it('refuses to grow past its limit with TOO_LARGE', () => {
    const w = new ByteWriter(64 * 1024, 16);
    const chunk = new Uint8Array(4096);
    codecErrorOf(() => {
      for (let i = 0; i < 100; i++) w.bytes(chunk, 0, chunk.length);
    }, 'DCMMS_CODEC_TOO_LARGE');
    expect(w.buf.length).toBeLessThanOrEqual(64 * 1024 + 16 * 1024);
  });

  it('writes length-prefixed UTF-8 for ASCII, multi-byte and long strings', () => {
    for (const s of ['', 'abc', 'é€😀', 'x'.repeat(200), '€'.repeat(100)]) {
      const bytes = written((w) => w.lengthPrefixedUtf8(s));
      expect(bytes).toEqual([...uint(Buffer.byteLength(s)), ...Buffer.from(s, 'utf8')]);
    }
  });
});
