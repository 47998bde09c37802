import { describe, expect, it } from 'vitest';
import { LIMITS, decodeTelemetryBatch, decodeTelemetryMessage, encodeGapRecord, encodeTelemetryBatch } from '@dcmms/shared';
import type { GapRecord, Reading, TelemetryBatch } from '@dcmms/shared';
import { VALID_RAW_BATCH, codecErrorOf } from './codec-helpers.js';

/** Break the contract on purpose: the encoder is the guard for callers that skip zod. */
const loose = (b: unknown) => b as TelemetryBatch;
const withReading = (r: Record<string, unknown>, at = 1): TelemetryBatch =>
  loose({ ...VALID_RAW_BATCH, readings: [VALID_RAW_BATCH.readings[0], { tag: 't', ts: 1, value: 1, quality: 'good', ...r }].slice(0, at + 1) });

describe('encode validates what the round trip needs', () => {
  it.each<[string, TelemetryBatch]>([
    ['a non-object batch', loose(null)],
    ['an invalid site', loose({ ...VALID_RAW_BATCH, site: 'Plant 7' })],
    ['an unknown stream', loose({ ...VALID_RAW_BATCH, stream: 'bulk' })],
    ['a fractional seq', loose({ ...VALID_RAW_BATCH, seq: 1.5 })],
    ['a seq past 2^53', loose({ ...VALID_RAW_BATCH, seq: 2 ** 53 })],
    ['a negative createdAt', loose({ ...VALID_RAW_BATCH, createdAt: -1 })],
    ['readings that are not an array', loose({ ...VALID_RAW_BATCH, readings: {} })],
  ])('refuses %s', (_what, batch) => {
    codecErrorOf(() => encodeTelemetryBatch(batch), 'DCMMS_CODEC_INVALID_INPUT');
  });

  it.each<[string, Record<string, unknown>]>([
    ['a reading that is not an object', { __replace: 42 }],
    ['an empty tag', { tag: '' }],
    ['a tag that is not a string', { tag: 7 }],
    ['a tag with a control character', { tag: 'a\tb' }],
    ['a tag with DEL', { tag: 'a\u007f' }],
    ['a tag with a lone surrogate', { tag: 'a\ud800' }],
    ['a tag of 257 code units', { tag: 'x'.repeat(257) }],
    ['a fractional timestamp', { ts: 1.5 }],
    ['a negative timestamp', { ts: -1 }],
    ['a timestamp past the end of time', { ts: LIMITS.maxTimestampMs + 1 }],
    ['a NaN timestamp', { ts: NaN }],
    ['a string timestamp', { ts: '1' }],
    ['an undefined value', { value: undefined }],
    ['an object value', { value: { v: 1 } }],
    ['a bigint value', { value: 1n }],
    ['a string value with a lone surrogate', { value: '\udc00' }],
    ['a string value of 4097 code units', { value: 'x'.repeat(4097) }],
    ['an unknown quality', { quality: 'ok' }],
    ['a quality inherited from Object.prototype', { quality: 'toString' }],
    ['a reason with a control character', { reason: 'time\nout' }],
    ['a reason that is not a string', { reason: 5 }],
    ['a reason of 257 code units', { reason: 'r'.repeat(257) }],
  ])('refuses %s and names the reading', (_what, fields) => {
    const batch = '__replace' in fields ? loose({ ...VALID_RAW_BATCH, readings: [VALID_RAW_BATCH.readings[0], fields.__replace] }) : withReading(fields);
    const err = codecErrorOf(() => encodeTelemetryBatch(batch), 'DCMMS_CODEC_INVALID_INPUT');
    expect(err.message).toMatch(/^readings\[1\]: /);
    expect(err.details).toEqual({ index: 1 });
  });

  it('accepts the limits themselves', () => {
    const readings: Reading[] = [
      { tag: 'x'.repeat(256), ts: LIMITS.maxTimestampMs, value: 's'.repeat(4096), quality: 'bad', reason: 'r'.repeat(256) },
      { tag: '😀'.repeat(128), ts: 0, value: '€'.repeat(4096), quality: 'uncertain', reason: '' },
      { tag: '€'.repeat(256), ts: 0, value: '\u0000\u001f control characters are fine in values', quality: 'good' },
    ];
    const batch: TelemetryBatch = { site: 'z'.repeat(64), stream: 'backfill', seq: Number.MAX_SAFE_INTEGER, createdAt: LIMITS.maxTimestampMs, readings };
    expect(decodeTelemetryBatch(encodeTelemetryBatch(batch))).toStrictEqual(batch);
  });

  it('refuses more readings or distinct tags than a batch may hold', () => {
    const reading: Reading = { tag: 't', ts: 1, value: 1, quality: 'good' };
    const tooMany = { ...VALID_RAW_BATCH, readings: new Array<Reading>(LIMITS.maxReadingsPerBatch + 1).fill(reading) };
    codecErrorOf(() => encodeTelemetryBatch(tooMany), 'DCMMS_CODEC_INVALID_INPUT');
    const manyTags = Array.from({ length: LIMITS.maxTagsPerBatch + 1 }, (_, i): Reading => ({ tag: `t${i}`, ts: 1, value: null, quality: 'good' }));
    const err = codecErrorOf(() => encodeTelemetryBatch({ ...VALID_RAW_BATCH, readings: manyTags }), 'DCMMS_CODEC_INVALID_INPUT');
    expect(err.details).toEqual({ index: LIMITS.maxTagsPerBatch });
    const fits = manyTags.slice(0, LIMITS.maxTagsPerBatch);
    expect(decodeTelemetryBatch(encodeTelemetryBatch({ ...VALID_RAW_BATCH, readings: fits })).readings).toHaveLength(LIMITS.maxTagsPerBatch);
  });

  it('refuses a batch whose body would pass the decoded-size cap with TOO_LARGE', () => {
    // 2,800 strings of 4,096 three-byte characters: 34 MB of body, over the 32 MiB cap.
    const value = '€'.repeat(LIMITS.maxStringValueLength);
    const readings = Array.from({ length: 2_800 }, (_, i): Reading => ({ tag: `t${i % 10}`, ts: i, value, quality: 'good' }));
    codecErrorOf(() => encodeTelemetryBatch({ ...VALID_RAW_BATCH, readings }), 'DCMMS_CODEC_TOO_LARGE');
    // The encoder is still usable afterwards.
    expect(decodeTelemetryBatch(encodeTelemetryBatch(VALID_RAW_BATCH))).toStrictEqual(VALID_RAW_BATCH);
  });

  it('refuses unknown options and bad levels', () => {
    codecErrorOf(() => encodeTelemetryBatch(VALID_RAW_BATCH, { compression: 'zstd' as 'none' }), 'DCMMS_CODEC_INVALID_INPUT');
    codecErrorOf(() => encodeTelemetryBatch(VALID_RAW_BATCH, { compression: 'deflate', level: 0 }), 'DCMMS_CODEC_INVALID_INPUT');
    codecErrorOf(() => encodeTelemetryBatch(VALID_RAW_BATCH, { compression: 'brotli', level: 12 }), 'DCMMS_CODEC_INVALID_INPUT');
    codecErrorOf(() => encodeTelemetryBatch(VALID_RAW_BATCH, { compression: 'deflate', level: 1.5 }), 'DCMMS_CODEC_INVALID_INPUT');
    codecErrorOf(() => decodeTelemetryMessage('dc' as unknown as Uint8Array), 'DCMMS_CODEC_INVALID_INPUT');
    codecErrorOf(() => decodeTelemetryMessage(new Uint8Array(8), { maxDecodedBytes: -1 }), 'DCMMS_CODEC_INVALID_INPUT');
  });

  it('refuses gap records that break the contract, with the issues', () => {
    const gap: GapRecord = { site: 'a', what: 'telemetry', reason: 'overload', seqFrom: 5, seqTo: 1, fromTs: 0, toTs: 0, batches: 0, readings: 0, detectedAt: 0 };
    const err = codecErrorOf(() => encodeGapRecord(gap), 'DCMMS_CODEC_INVALID_INPUT');
    expect(JSON.stringify(err.details)).toContain('seqFrom must be <= seqTo');
  });
});
