import fc from 'fast-check';
import { expect } from 'vitest';
import { CODEC_ERROR_CODES, CodecError, LIMITS } from '@dcmms/shared';
import type { CodecErrorCode, Reading, ReadingValue, TelemetryBatch } from '@dcmms/shared';

/** Test-side reference varints (BigInt, independent of the codec's arithmetic). */
export function uint(v: number | bigint): number[] {
  let x = BigInt(v);
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

export function sint(d: number | bigint): number[] {
  const x = BigInt(d);
  return uint(x < 0n ? -2n * x - 1n : 2n * x);
}

export const utf8 = (s: string): number[] => [...Buffer.from(s, 'utf8')];

/** A frame around `body` as version 1 writes it, with every field overridable. */
export function frame(body: Uint8Array | number[], o: { magic?: number[]; version?: number; kind?: number; flags?: number; declared?: number } = {}): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.from([...(o.magic ?? [0xdc, 0x4d]), o.version ?? 1, o.kind ?? 1, o.flags ?? 0, ...uint(o.declared ?? bytes.length), ...bytes]);
}

/**
 * The sections of a small valid batch body, written by hand from the format description:
 * readings `a/x` = 1.5 and `b/x` = 2.5 at ts 1000, both good. Tests replace one section to
 * provoke one error.
 */
export interface RawSections {
  site: number[];
  stream: number[];
  seq: number[];
  createdAt: number[];
  counts: number[];
  tags: number[];
  reasons: number[];
  tagRefs: number[];
  ts: number[];
  headers: number[];
  reasonRefs: number[];
  strings: number[];
  modes: number[];
  values: number[];
}

export function validSections(): RawSections {
  return {
    site: [2, ...utf8('s1')],
    stream: [0],
    seq: uint(7),
    createdAt: uint(1000),
    counts: [...uint(2), ...uint(2), ...uint(0)],
    tags: [0, 3, ...utf8('a/x'), 0, 3, ...utf8('b/x')],
    reasons: [],
    tagRefs: [...sint(0), ...sint(0)],
    ts: [...sint(0), ...sint(0)],
    headers: [0x00, 0x00],
    reasonRefs: [],
    strings: [],
    // a/x: decimal k=1; b/x: "as family" (same leaf `x`), first value predicted from a/x.
    modes: [1, 22],
    values: [...sint(15), ...sint(25 - 15)],
  };
}

export const VALID_RAW_BATCH: TelemetryBatch = {
  site: 's1',
  stream: 'live',
  seq: 7,
  createdAt: 1000,
  readings: [
    { tag: 'a/x', ts: 1000, value: 1.5, quality: 'good' },
    { tag: 'b/x', ts: 1000, value: 2.5, quality: 'good' },
  ],
};

export function rawBody(overrides: Partial<RawSections> = {}): Buffer {
  const s = { ...validSections(), ...overrides };
  return Buffer.from([
    ...s.site,
    ...s.stream,
    ...s.seq,
    ...s.createdAt,
    ...s.counts,
    ...s.tags,
    ...s.reasons,
    ...s.tagRefs,
    ...s.ts,
    ...s.headers,
    ...s.reasonRefs,
    ...s.strings,
    ...s.modes,
    ...s.values,
  ]);
}

const CATALOGUE: readonly string[] = CODEC_ERROR_CODES;

/** Run `fn`, which must throw a CodecError (of `code`, when given); returns the error. */
export function codecErrorOf(fn: () => unknown, code?: CodecErrorCode): CodecError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (!(thrown instanceof CodecError)) {
    throw new Error(`expected a CodecError, got ${thrown === undefined ? 'no error' : String((thrown as Error)?.stack ?? thrown)}`);
  }
  expect(CATALOGUE).toContain(thrown.code);
  if (code !== undefined) expect(thrown.code, thrown.message).toBe(code);
  return thrown;
}

// ---------------------------------------------------------------------------------------
// Arbitraries over the contract's domain.

const codePoint = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0x7ff }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x800, max: 0xd7ff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xffff }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }) },
);

/** Well-formed, no C0 controls or DEL, at most `maxUnits` UTF-16 code units. */
export function cleanText(minUnits: number, maxUnits: number, maxCodePoints = maxUnits): fc.Arbitrary<string> {
  return fc
    .array(codePoint, { minLength: Math.max(minUnits, 0), maxLength: maxCodePoints })
    .map((cps) => {
      let s = '';
      for (const cp of cps) {
        const c = String.fromCodePoint(cp);
        if (s.length + c.length > maxUnits) break;
        s += c;
      }
      return s;
    })
    .filter((s) => s.length >= minUnits);
}

/** Any text a string value may hold: control characters included, lone surrogates not. */
export const anyText = (maxUnits: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', maxLength: maxUnits }).filter((s) => s.length <= maxUnits && s.isWellFormed());

/** Tags that share prefixes and leaves (`dev-3/leaf-1`), so front coding and families are exercised. */
const structuredTag = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 8 })).map(([d, l]) => `dev-${d}/leaf-${l}`);

export const tagArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: structuredTag },
  { weight: 2, arbitrary: cleanText(1, 40) },
  { weight: 1, arbitrary: cleanText(1, LIMITS.maxTagLength) },
);

const TS_MAX = LIMITS.maxTimestampMs;

const decimal = fc
  .tuple(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.integer({ min: 0, max: 9 }), fc.boolean())
  .map(([m, k, div]) => (div ? m / 10 ** k : m * [1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9][k]!));

export const SPECIAL_NUMBERS: readonly number[] = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** -149,
  2 ** -126,
  2 ** 50 - 1,
  -(2 ** 50 - 1),
  2 ** 50,
  2 ** 50 + 2,
  2 ** 53 - 1,
  -(2 ** 53),
  0.1 + 0.2,
  1e-300,
  1e-9,
  1.5e-10,
  Math.fround(0.1),
  3.4028234663852886e38,
];

export const numberArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: decimal },
  { weight: 2, arbitrary: fc.float() },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) },
);

export const valueArb: fc.Arbitrary<ReadingValue> = fc.oneof(
  { weight: 8, arbitrary: numberArb },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: anyText(40) },
  { weight: 1, arbitrary: fc.constant('') },
);

const reasonArb = fc.oneof(fc.constantFrom('timeout', 'exception:2', 'BadNodeIdUnknown', ''), cleanText(0, LIMITS.maxReasonLength, 40));

function reading(tag: string, ts: number, value: ReadingValue, quality: Reading['quality'], reason: string | undefined): Reading {
  return reason === undefined ? { tag, ts, value, quality } : { tag, ts, value, quality, reason };
}

/** Batches over the whole domain: tags from a pool, timestamps near a base or anywhere. */
export function batchArb(maxReadings: number): fc.Arbitrary<TelemetryBatch> {
  return fc
    .record({
      site: fc.oneof(fc.constantFrom('a', 'plant-7', 'x'.repeat(64), '0-0'), fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/)),
      stream: fc.constantFrom('live' as const, 'backfill' as const),
      seq: fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.maxSafeNat()),
      base: fc.oneof(fc.constantFrom(0, TS_MAX, 1_781_953_200_000), fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((x) => x * 4_000_000)),
      pool: fc.uniqueArray(tagArb, { minLength: 1, maxLength: 30 }),
    })
    .chain(({ site, stream, seq, base, pool }) =>
      fc
        .array(
          fc.record({
            tag: fc.constantFrom(...pool),
            ts: fc.oneof(
              { weight: 6, arbitrary: fc.integer({ min: -5_000, max: 5_000 }).map((d) => Math.min(TS_MAX, Math.max(0, base + d))) },
              { weight: 1, arbitrary: fc.constantFrom(0, TS_MAX) },
              { weight: 1, arbitrary: fc.maxSafeNat().map((x) => x % (TS_MAX + 1)) },
            ),
            value: valueArb,
            quality: fc.constantFrom('good' as const, 'uncertain' as const, 'bad' as const),
            reason: fc.option(reasonArb, { nil: undefined, freq: 4 }),
          }),
          { maxLength: maxReadings },
        )
        .map((rs) => ({
          site,
          stream,
          seq,
          createdAt: Math.min(TS_MAX, base + 1000),
          readings: rs.map((r) => reading(r.tag, r.ts, r.value, r.quality, r.reason)),
        })),
    );
}

/** Deterministic PRNG for building big batches quickly (fast-check supplies the seed). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` readings drawn from `pool` with plant-like and edge-case values mixed. */
export function bigBatch(seed: number, n: number, pool: readonly string[]): TelemetryBatch {
  const rnd = mulberry32(seed);
  const levels = pool.map(() => Math.round(rnd() * 1e5));
  const readings: Reading[] = [];
  let ts = 1_781_953_200_000;
  for (let i = 0; i < n; i++) {
    const t = Math.floor(rnd() * pool.length);
    const tag = pool[t]!;
    if (rnd() < 0.3) ts += Math.floor(rnd() * 20);
    const roll = rnd();
    let value: ReadingValue;
    if (roll < 0.5) {
      levels[t] = levels[t]! + Math.round((rnd() - 0.5) * 20);
      value = levels[t]! / 10;
    } else if (roll < 0.65) value = Math.fround(levels[t]! / 7);
    else if (roll < 0.72) value = rnd() * 1e6;
    else if (roll < 0.85) value = rnd() < 0.5;
    else if (roll < 0.88) value = null;
    else if (roll < 0.9) value = `state-${Math.floor(rnd() * 5)}`;
    else value = SPECIAL_NUMBERS[Math.floor(rnd() * SPECIAL_NUMBERS.length)]!;
    const q = rnd();
    readings.push(q < 0.95 ? { tag, ts, value, quality: 'good' } : { tag, ts, value: null, quality: 'bad', reason: 'timeout' });
  }
  return { site: 'big-batch', stream: 'backfill', seq: seed >>> 0, createdAt: ts + 100, readings };
}
