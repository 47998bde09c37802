import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LIMITS, decodeTelemetryBatch, decodeTelemetryMessage, encodeGapRecord, encodeTelemetryBatch } from '@dcmms/shared';
import type { GapRecord, TelemetryBatch } from '@dcmms/shared';
import { VALID_RAW_BATCH, codecErrorOf, frame, rawBody, sint, uint, utf8 } from './codec-helpers.js';

const GAP: GapRecord = {
  site: 'plant-7',
  what: 'telemetry',
  reason: 'buffer_bytes_limit',
  seqFrom: 10,
  seqTo: 20,
  fromTs: 1_000,
  toTs: 2_000,
  batches: 11,
  readings: 22_000,
  detectedAt: 3_000,
};

describe('frame and body layout', () => {
  it('writes exactly the documented bytes for a small batch', () => {
    const encoded = encodeTelemetryBatch(VALID_RAW_BATCH, { compression: 'none' });
    expect([...encoded]).toEqual([...frame(rawBody())]);
    expect(decodeTelemetryBatch(frame(rawBody()))).toStrictEqual(VALID_RAW_BATCH);
  });

  it('front-codes the tag dictionary on UTF-8 bytes, even inside a multi-byte character', () => {
    const batch: TelemetryBatch = {
      ...VALID_RAW_BATCH,
      readings: ['inv-01/a', 'inv-01/b', 'é', 'è'].map((tag) => ({ tag, ts: 1000, value: true, quality: 'good' as const })),
    };
    const encoded = [...encodeTelemetryBatch(batch, { compression: 'none' })];
    // 'é' is C3 A9 and 'è' C3 A8: they share one byte, half a character.
    const dictionary = [0, 8, ...utf8('inv-01/a'), 7, 1, ...utf8('b'), 0, 2, 0xc3, 0xa9, 1, 1, 0xa8];
    expect(Buffer.from(encoded).indexOf(Buffer.from(dictionary))).toBeGreaterThan(0);
    expect(decodeTelemetryBatch(Buffer.from(encoded))).toStrictEqual(batch);
  });

  it('leaves tiny messages uncompressed and compresses the rest', () => {
    const empty = encodeTelemetryBatch({ ...VALID_RAW_BATCH, readings: [] }, { compression: 'deflate' });
    expect(empty[4]).toBe(0);
    const big: TelemetryBatch = {
      ...VALID_RAW_BATCH,
      readings: Array.from({ length: 500 }, (_, i) => ({ tag: `dev-${i % 50}/p`, ts: 1000 + i, value: i / 10, quality: 'good' as const })),
    };
    expect(encodeTelemetryBatch(big, { compression: 'deflate' })[4]).toBe(1);
    expect(encodeTelemetryBatch(big, { compression: 'brotli' })[4]).toBe(2);
    expect(encodeTelemetryBatch(big)[4]).toBe(2); // the default: brotli
    expect(encodeTelemetryBatch(big)).toEqual(encodeTelemetryBatch(big, { compression: 'brotli', level: 4 }));
    for (const compression of ['none', 'deflate', 'brotli'] as const) {
      expect(decodeTelemetryBatch(encodeTelemetryBatch(big, { compression }))).toStrictEqual(big);
    }
  });

  it('is deterministic whatever was encoded before', () => {
    const first = encodeTelemetryBatch(VALID_RAW_BATCH);
    encodeTelemetryBatch({ ...VALID_RAW_BATCH, readings: [...VALID_RAW_BATCH.readings].reverse() });
    expect(encodeTelemetryBatch(VALID_RAW_BATCH)).toEqual(first);
  });

  it('round-trips gap records, which a batch-only consumer refuses', () => {
    for (const gap of [GAP, { ...GAP, seqFrom: null, seqTo: null }]) {
      expect(decodeTelemetryMessage(encodeGapRecord(gap))).toStrictEqual({ kind: 'gap', gap });
    }
    codecErrorOf(() => decodeTelemetryBatch(encodeGapRecord(GAP)), 'DCMMS_CODEC_WRONG_KIND');
    expect(decodeTelemetryMessage(encodeTelemetryBatch(VALID_RAW_BATCH))).toStrictEqual({ kind: 'batch', batch: VALID_RAW_BATCH });
  });
});

describe('decode errors, one code at a time', () => {
  const body = rawBody();

  it('BAD_MAGIC for anything that is not ours', () => {
    codecErrorOf(() => decodeTelemetryMessage(Buffer.from('{"site":"a"}')), 'DCMMS_CODEC_BAD_MAGIC');
    codecErrorOf(() => decodeTelemetryMessage(frame(body, { magic: [0xdc, 0x00] })), 'DCMMS_CODEC_BAD_MAGIC');
    codecErrorOf(() => decodeTelemetryMessage(Buffer.from([0x00])), 'DCMMS_CODEC_BAD_MAGIC');
  });

  it('UNSUPPORTED_VERSION for another format version', () => {
    const err = codecErrorOf(() => decodeTelemetryMessage(frame(body, { version: 2 })), 'DCMMS_CODEC_UNSUPPORTED_VERSION');
    expect(err.details).toEqual({ version: 2 });
    codecErrorOf(() => decodeTelemetryMessage(frame(body, { version: 0 })), 'DCMMS_CODEC_UNSUPPORTED_VERSION');
  });

  it('TRUNCATED when the message ends early', () => {
    codecErrorOf(() => decodeTelemetryMessage(Buffer.alloc(0)), 'DCMMS_CODEC_TRUNCATED');
    codecErrorOf(() => decodeTelemetryMessage(Buffer.from([0xdc, 0x4d, 1, 1, 0])), 'DCMMS_CODEC_TRUNCATED');
    codecErrorOf(() => decodeTelemetryMessage(Buffer.from([0xdc, 0x4d, 1, 1, 0, 0x80])), 'DCMMS_CODEC_TRUNCATED');
    codecErrorOf(() => decodeTelemetryMessage(frame(body).subarray(0, -1)), 'DCMMS_CODEC_TRUNCATED');
    const deflated = zlib.deflateRawSync(body);
    codecErrorOf(() => decodeTelemetryMessage(frame(deflated.subarray(0, -2), { flags: 1, declared: body.length })), 'DCMMS_CODEC_TRUNCATED');
    // A body whose counts promise more than it holds.
    codecErrorOf(() => decodeTelemetryMessage(frame(rawBody({ values: sint(15) }))), 'DCMMS_CODEC_TRUNCATED');
  });

  it('TOO_LARGE when the declared length passes the cap, before anything is inflated', () => {
    const err = codecErrorOf(() => decodeTelemetryMessage(frame([], { flags: 1, declared: LIMITS.maxDecodedBytes + 1 })), 'DCMMS_CODEC_TOO_LARGE');
    expect(err.details).toMatchObject({ declared: LIMITS.maxDecodedBytes + 1 });
    codecErrorOf(() => decodeTelemetryMessage(frame(body), { maxDecodedBytes: body.length - 1 }), 'DCMMS_CODEC_TOO_LARGE');
    expect(decodeTelemetryBatch(frame(body), { maxDecodedBytes: body.length })).toStrictEqual(VALID_RAW_BATCH);
    codecErrorOf(() => decodeTelemetryMessage(frame([], { kind: 2, declared: 64 * 1024 + 1 })), 'DCMMS_CODEC_TOO_LARGE');
  });

  it('TOO_LARGE for a bomb that claims little and inflates to a lot, without inflating it all', () => {
    const zeros = Buffer.alloc(LIMITS.maxDecodedBytes + 1024 * 1024);
    const bomb = zlib.deflateRawSync(zeros, { level: 1 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const err = codecErrorOf(() => decodeTelemetryMessage(frame(bomb, { flags: 1, declared: 1000 })), 'DCMMS_CODEC_TOO_LARGE');
    expect(err.details).toEqual({ declared: 1000 });
    const brotliBomb = zlib.brotliCompressSync(zeros, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
    codecErrorOf(() => decodeTelemetryMessage(frame(brotliBomb, { flags: 2, declared: LIMITS.maxDecodedBytes })), 'DCMMS_CODEC_TOO_LARGE');
  });

  it('CORRUPT for frames a version-1 writer never produces', () => {
    codecErrorOf(() => decodeTelemetryMessage(frame(body, { kind: 3 })), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => decodeTelemetryMessage(frame(body, { flags: 3 })), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => decodeTelemetryMessage(frame(body, { flags: 0x10 })), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => decodeTelemetryMessage(Buffer.concat([frame(body), Buffer.from([0])])), 'DCMMS_CODEC_CORRUPT');
    const deflated = zlib.deflateRawSync(body);
    codecErrorOf(() => decodeTelemetryMessage(frame(Buffer.concat([deflated, Buffer.from([1, 2])]), { flags: 1, declared: body.length })), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => decodeTelemetryMessage(frame(deflated, { flags: 1, declared: body.length + 1 })), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => decodeTelemetryMessage(frame(Buffer.from('not deflate at all'), { flags: 1, declared: 10 })), 'DCMMS_CODEC_CORRUPT');
  });

  it.each<[string, Parameters<typeof rawBody>[0], RegExp]>([
    ['an empty site', { site: [0] }, /site id length 0/],
    ['an invalid site id', { site: [2, ...utf8('S!')] }, /not a valid site id/],
    ['an unknown stream', { stream: [2] }, /unknown stream/],
    ['createdAt past the end of time', { createdAt: uint(LIMITS.maxTimestampMs + 1) }, /createdAt out of range/],
    ['more readings than the limit', { counts: [...uint(LIMITS.maxReadingsPerBatch + 1), 0, 0] }, /reading count/],
    ['more tags than readings', { counts: [...uint(2), ...uint(3), ...uint(0)] }, /tag count 3 for 2 readings/],
    ['front coding sharing more than the previous tag', { tags: [1, 3, ...utf8('a/x'), 0, 3, ...utf8('b/x')] }, /bad front coding/],
    ['an empty tag', { tags: [0, 0, 0, 3, ...utf8('b/x')] }, /tag has 0 UTF-16 code units/],
    ['a control character in a tag', { tags: [0, 3, ...utf8('a\nx'), 0, 3, ...utf8('b/x')] }, /control character/],
    ['malformed UTF-8 in a tag', { tags: [0, 3, 0x61, 0xc3, 0x28, 0, 3, ...utf8('b/x')] }, /not valid UTF-8/],
    ['an encoded surrogate in a tag', { tags: [0, 3, 0xed, 0xa0, 0x80, 0, 3, ...utf8('b/x')] }, /not valid UTF-8/],
    ['a tag longer than 256 code units', { tags: [0, ...uint(257), ...utf8('x'.repeat(257)), 0, 3, ...utf8('b/x')] }, /tag has 257 UTF-16 code units/],
    ['a tag of more than 768 bytes', { tags: [0, ...uint(769), ...utf8('x'.repeat(769)), 0, 3, ...utf8('b/x')] }, /bad front coding/],
    ['a tag reference past the next new tag', { tagRefs: [...sint(1), ...sint(0)] }, /tag reference out of range/],
    ['a dictionary tag no reading uses', { tagRefs: [...sint(0), ...sint(-1)], modes: [1], values: [...sint(15), ...sint(10)] }, /never used/],
    ['a timestamp below zero', { ts: [...sint(-1001), ...sint(0)] }, /timestamp out of range/],
    ['a timestamp past the end of time', { ts: [...sint(LIMITS.maxTimestampMs), ...sint(0)] }, /timestamp out of range/],
    ['an unknown value kind', { headers: [0x09, 0x00] }, /bad header byte 0x9/],
    ['quality code 3', { headers: [0x30, 0x00] }, /bad header byte 0x30/],
    ['the reserved header bit', { headers: [0x80, 0x00] }, /bad header byte 0x80/],
    ['a reason reference without reasons', { headers: [0x40 | 0x03, 0x00], reasonRefs: [0], modes: [1], values: sint(25) }, /without a reason dictionary/],
    ['an unknown number mode', { modes: [23, 22] }, /unknown number mode 23/],
    ['"as family" with no earlier series of the family', { modes: [22, 22] }, /"as family" without/],
    ['a decimal mantissa of 2^50', { values: [...sint(2 ** 50), ...sint(0)] }, /mantissa out of range/],
    ['a float32 series holding NaN', { modes: [20, 20], values: [0x7f, 0xc0, 0, 0, 0x3f, 0x80, 0, 0] }, /inside a float32 series/],
    ['a float64 series holding -0', { modes: [21, 21], values: [0x80, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0] }, /inside a float64 series/],
    [
      'a float XOR word wider than 32 bits',
      { counts: [2, 1, 0], tags: [0, 3, ...utf8('a/x')], tagRefs: [...sint(0), ...sint(-1)], modes: [20], values: [0x3f, 0x80, 0, 0, ...uint(2 ** 32)] },
      /exceeds 32 bits/,
    ],
    ['trailing bytes after the last series', { values: [...sint(15), ...sint(10), 0] }, /trailing bytes/],
  ])('CORRUPT for %s', (_what, sections, message) => {
    const err = codecErrorOf(() => decodeTelemetryMessage(frame(rawBody(sections))), 'DCMMS_CODEC_CORRUPT');
    expect(err.message).toMatch(message);
  });

  it('CORRUPT for gap records that are not JSON or break the contract', () => {
    codecErrorOf(() => decodeTelemetryMessage(frame(Buffer.from('{"site":'), { kind: 2 })), 'DCMMS_CODEC_CORRUPT');
    codecErrorOf(() => decodeTelemetryMessage(frame(Buffer.from([0xff, 0xfe]), { kind: 2 })), 'DCMMS_CODEC_CORRUPT');
    const bad = JSON.stringify({ ...GAP, seqFrom: 30 });
    const err = codecErrorOf(() => decodeTelemetryMessage(frame(Buffer.from(bad), { kind: 2 })), 'DCMMS_CODEC_CORRUPT');
    expect(JSON.stringify(err.details)).toContain('seqTo');
  });
});
