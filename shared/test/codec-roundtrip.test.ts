import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, decodeTelemetryBatch, encodeTelemetryBatch, telemetryBatchSchema } from '@dcmms/shared';
import type { Compression, TelemetryBatch } from '@dcmms/shared';
import { batchArb, bigBatch, cleanText, tagArb } from './codec-helpers.js';

const compressionArb = fc.constantFrom<Compression>('none', 'deflate', 'brotli');

function expectRoundTrip(batch: TelemetryBatch, compression?: Compression): Buffer {
  const encoded = encodeTelemetryBatch(batch, compression === undefined ? undefined : { compression });
  expect(decodeTelemetryBatch(encoded)).toStrictEqual(batch);
  return encoded;
}

describe('decode(encode(batch)) equals batch', () => {
  it('for arbitrary valid batches (generator checked against the schema)', () => {
    fc.assert(
      fc.property(batchArb(120), compressionArb, (batch, compression) => {
        expect(telemetryBatchSchema.safeParse(batch).success).toBe(true);
        expectRoundTrip(batch, compression);
      }),
      { numRuns: 250 },
    );
  });

  it('for the empty batch and for single readings', () => {
    fc.assert(
      fc.property(batchArb(1), (batch) => {
        expectRoundTrip(batch);
        expectRoundTrip({ ...batch, readings: [] });
      }),
      { numRuns: 150 },
    );
  });

  it('for tags at the length limit, astral characters included', () => {
    fc.assert(
      fc.property(fc.array(cleanText(LIMITS.maxTagLength - 2, LIMITS.maxTagLength), { minLength: 1, maxLength: 8 }), (tags) => {
        const readings = tags.map((tag, i) => ({ tag, ts: i, value: i, quality: 'good' as const }));
        expectRoundTrip({ site: 'u', stream: 'live', seq: 0, createdAt: 0, readings });
      }),
      { numRuns: 40 },
    );
    const astral = '𝔡𝔠𝔪𝔪𝔰😀'.repeat(22).slice(0, 256);
    expect(astral.length).toBe(256);
    expectRoundTrip({ site: 'u', stream: 'live', seq: 0, createdAt: 0, readings: [{ tag: astral, ts: 0, value: '\u{10FFFF}\uFEFF', quality: 'good' }] });
  });

  it('for batches encoded one after another that reuse, reorder and drop tags', () => {
    fc.assert(
      fc.property(fc.array(batchArb(40), { minLength: 2, maxLength: 6 }), (batches) => {
        const encoded = batches.map((b) => encodeTelemetryBatch(b));
        // Decode in reverse so the decoder's name cache sees them in another order.
        for (let i = batches.length - 1; i >= 0; i--) expect(decodeTelemetryBatch(encoded[i]!)).toStrictEqual(batches[i]);
      }),
      { numRuns: 60 },
    );
  });

  it('for 100,000-reading batches drawn from a modest tag pool', () => {
    fc.assert(
      fc.property(fc.integer(), fc.uniqueArray(tagArb, { minLength: 20, maxLength: 300 }), compressionArb, (seed, pool, compression) => {
        const batch = bigBatch(seed, 100_000, pool);
        const encoded = expectRoundTrip(batch, compression);
        if (compression !== 'none') expect(encoded.length).toBeLessThan(batch.readings.length * 12);
      }),
      { numRuns: 3 },
    );
  });

  it('for a batch of the maximum size', () => {
    const pool = Array.from({ length: 2_000 }, (_, i) => `inv-${Math.floor(i / 50)}/p${i % 50}`);
    expectRoundTrip(bigBatch(7, LIMITS.maxReadingsPerBatch, pool));
  });
});
