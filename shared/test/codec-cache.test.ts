import { describe, expect, it } from 'vitest';
import { decodeTelemetryBatch, encodeTelemetryBatch } from '@dcmms/shared';
import type { Reading, TelemetryBatch } from '@dcmms/shared';
import { DecoderTagCache, EncoderTagCache } from '../src/codec/name-cache.js';

/** The encoder and decoder remember names across calls; these batches try to trip them up. */
const batchOf = (tags: readonly string[], seq = 1): TelemetryBatch => ({
  site: 'cache',
  stream: 'live',
  seq,
  createdAt: 10_000,
  readings: tags.map((tag, i): Reading => ({ tag, ts: 9_000 + i, value: i / 10, quality: 'good' })),
});

function roundTripAll(batches: readonly TelemetryBatch[]): void {
  const encoded = batches.map((b) => encodeTelemetryBatch(b, { compression: 'none' }));
  // Values here are finite and never -0, so JSON text is an exact (and fast) comparison.
  batches.forEach((b, i) => expect(JSON.stringify(decodeTelemetryBatch(encoded[i]!))).toBe(JSON.stringify(b)));
}

describe('name caches', () => {
  it('tell apart names that follow the same name with the same prefix', () => {
    roundTripAll([
      batchOf(['dev/a', 'dev/b', 'dev/c']),
      batchOf(['dev/a', 'dev/x', 'dev/c']),
      batchOf(['dev/a', 'dev/bb', 'dev/c']),
      batchOf(['dev/a', 'dev/', 'dev/c']),
      batchOf(['dev/a', 'de', 'dev/c']),
      batchOf(['dev/a', 'dev/b', 'dev/c']),
      batchOf(['dev/c', 'dev/b', 'dev/a']),
    ]);
  });

  it('keep families exact when names come and go between batches', () => {
    roundTripAll([batchOf(['a/v', 'b/v', 'c/w']), batchOf(['c/w', 'b/w', 'a/v', 'd/v']), batchOf(['x/v', 'y/v'])]);
  });

  it('encoder: starts over when full, between batches only, with families reassigned consistently', () => {
    const cache = new EncoderTagCache({ maxNames: 4, maxBytes: 1 << 20 });
    cache.begin();
    const names = ['a/v', 'b/v', 'c/w', 'd/w', 'e/v', 'f/x'];
    const first = names.map((n) => cache.add(n));
    expect(cache.size).toBe(6); // never dropped within a batch
    expect(first[0]!.family).toBe(first[1]!.family);
    expect(first[2]!.family).not.toBe(first[0]!.family);
    cache.begin();
    expect(cache.size).toBe(0);
    expect(cache.get('a/v')).toBeUndefined();
    const again = ['e/v', 'c/w', 'a/v'].map((n) => cache.add(n));
    expect(again[0]!.family).toBe(again[2]!.family);
    expect(again[1]!.family).not.toBe(again[0]!.family);
    expect(cache.familyCount).toBe(2);
  });

  it('decoder: stops caching past its bounds but still resolves, and starts over between batches', () => {
    const cache = new DecoderTagCache({ maxNames: 3, maxBytes: 1 << 20 });
    let decodes = 0;
    const resolve = (name: string) => {
      const bytes = Buffer.from(name);
      return cache.resolve(bytes, bytes.length, () => {
        decodes++;
        return name;
      });
    };
    cache.begin();
    const entries = ['a/v', 'b/v', 'c/w', 'd/w', 'e/v'].map(resolve);
    expect(entries.map((e) => e.name)).toEqual(['a/v', 'b/v', 'c/w', 'd/w', 'e/v']);
    expect(cache.size).toBe(4);
    expect(decodes).toBe(5);
    expect(resolve('a/v')).toBe(entries[0]);
    expect(decodes).toBe(5);
    expect(resolve('e/v').name).toBe('e/v');
    expect(decodes).toBe(6); // not cached, decoded (and validated) again
    // Families stay exact for uncached names too: prediction depends on it.
    expect(entries[4]!.family).toBe(entries[0]!.family);
    cache.begin();
    expect(cache.size).toBe(0);
    expect(resolve('a/v').name).toBe('a/v');
    expect(decodes).toBe(7);
  });

  it('decoder: bounds the bytes it keeps', () => {
    const cache = new DecoderTagCache({ maxNames: 1000, maxBytes: 1000 });
    cache.begin();
    for (let i = 0; i < 50; i++) {
      const bytes = Buffer.from(`${i}/${'x'.repeat(200)}`);
      cache.resolve(bytes, bytes.length, () => bytes.toString());
    }
    expect(cache.size).toBeLessThan(5);
  });
});
