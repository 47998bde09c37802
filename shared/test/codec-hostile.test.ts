import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, decodeTelemetryMessage, encodeGapRecord, encodeTelemetryBatch, gapRecordSchema, telemetryBatchSchema } from '@dcmms/shared';
import type { DecodedTelemetryMessage } from '@dcmms/shared';
import { batchArb, codecErrorOf, frame } from './codec-helpers.js';

/**
 * Hostile bytes: the decoder either returns a message that satisfies the contract or
 * throws a CodecError with a catalogued code. Nothing else, whatever the input.
 */
function decodeOrCodecError(bytes: Uint8Array): DecodedTelemetryMessage | undefined {
  let message: DecodedTelemetryMessage | undefined;
  try {
    message = decodeTelemetryMessage(bytes);
  } catch {
    codecErrorOf(() => decodeTelemetryMessage(bytes));
    return undefined;
  }
  if (message.kind === 'batch') expect(telemetryBatchSchema.safeParse(message.batch).success).toBe(true);
  else expect(gapRecordSchema.safeParse(message.gap).success).toBe(true);
  return message;
}

const header = (kind: number, flags: number) => fc.constant(Buffer.from([0xdc, 0x4d, 1, kind, flags]));

/** Valid encodings: compressed, and uncompressed so that mutations reach the body parser. */
const encodedArb = fc.tuple(batchArb(30), fc.constantFrom('none' as const, 'deflate' as const, 'brotli' as const)).map(([b, compression]) => encodeTelemetryBatch(b, { compression }));

describe('hostile bytes only ever yield CodecError', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => void decodeOrCodecError(bytes)), { numRuns: 500 });
  });

  it('random bodies behind a valid frame header', () => {
    fc.assert(
      fc.property(fc.oneof(header(1, 0), header(2, 0), header(1, 1), header(1, 2)), fc.uint8Array({ maxLength: 512 }), (head, body) => {
        decodeOrCodecError(Buffer.concat([head, Buffer.from([body.length & 0x7f]), body]));
        decodeOrCodecError(frame(body, { flags: head[4], kind: head[3] }));
      }),
      { numRuns: 500 },
    );
  });

  it('bit-flipped valid encodings', () => {
    fc.assert(
      fc.property(encodedArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }), (encoded, flips) => {
        const bytes = Buffer.from(encoded);
        for (const [at, bit] of flips) bytes[at % bytes.length]! ^= 1 << bit;
        decodeOrCodecError(bytes);
      }),
      { numRuns: 400 },
    );
  });

  it('bytes of valid encodings replaced at random', () => {
    fc.assert(
      fc.property(encodedArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (encoded, edits) => {
        const bytes = Buffer.from(encoded);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        decodeOrCodecError(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('truncated valid encodings', () => {
    fc.assert(
      fc.property(encodedArb, fc.nat(), (encoded, cut) => {
        const at = cut % encoded.length;
        expect(decodeOrCodecError(encoded.subarray(0, at))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('extended valid encodings', () => {
    fc.assert(
      fc.property(encodedArb, fc.uint8Array({ minLength: 1, maxLength: 16 }), (encoded, extra) => {
        codecErrorOf(() => decodeTelemetryMessage(Buffer.concat([encoded, extra])));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated gap records', () => {
    const gap = encodeGapRecord({ site: 'a', what: 'telemetry', reason: 'disk_full', seqFrom: null, seqTo: null, fromTs: 1, toTs: 2, batches: 0, readings: 0, detectedAt: 3 });
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = Buffer.from(gap);
        bytes[at % bytes.length] = value;
        decodeOrCodecError(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('compressed bodies that inflate past the cap or past their declared length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(1, 2), (declared, fill, flags) => {
        const plain = Buffer.alloc(declared + 1 + (fill % 64) * 1024, fill);
        const packed = flags === 1 ? zlib.deflateRawSync(plain) : zlib.brotliCompressSync(plain);
        codecErrorOf(() => decodeTelemetryMessage(frame(packed, { flags, declared })), 'DCMMS_CODEC_TOO_LARGE');
      }),
      { numRuns: 60 },
    );
    codecErrorOf(() => decodeTelemetryMessage(frame([1], { flags: 1, declared: LIMITS.maxDecodedBytes + 1 })), 'DCMMS_CODEC_TOO_LARGE');
    codecErrorOf(() => decodeTelemetryMessage(frame([1], { flags: 1, declared: 2 ** 53 - 1 })), 'DCMMS_CODEC_TOO_LARGE');
  });

  it('counts that promise far more than the bytes hold', () => {
    // 200,000 readings and 65,536 tags announced in a 40-byte body: refused before any allocation.
    const body = [2, 0x61, 0x62, 0, 1, 1, 0xc0, 0x9a, 0x0c, 0x80, 0x80, 0x04, 0];
    codecErrorOf(() => decodeTelemetryMessage(frame([...body, ...new Array(27).fill(0)])), 'DCMMS_CODEC_TRUNCATED');
  });
});
