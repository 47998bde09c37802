import { LIMITS } from '../contracts/limits.js';
import { siteIdSchema } from '../contracts/ids.js';
import type { TelemetryBatch } from '../contracts/batch.js';
import { CodecError } from './errors.js';
import type { ByteWriter } from './writer.js';
import { EncoderTagCache } from './name-cache.js';
import type { EncoderTag } from './name-cache.js';
import { FamilyState, chooseMode, fitsMode, isPredictableMode, predicts, writeSeries } from './values.js';
import { HAS_REASON_BIT, KIND_MASK, MODE_AS_FAMILY, QUALITY_SHIFT, STREAM_CODE, VALUE_KIND } from './format.js';

/**
 * Batch body, version 1 (all integers varuint unless said otherwise):
 *
 *   site      u8 length + ASCII
 *   stream    u8 (0 live, 1 backfill)
 *   seq, createdAt, readingCount, tagCount, reasonCount
 *   tags      front-coded in first-appearance order: shared-prefix bytes, suffix bytes, suffix
 *   reasons   length + UTF-8, in first-appearance order
 *   tag refs  per reading: varsint(index - (previous index + 1)): 0 for "the next tag",
 *             which is every reading of a batch that holds each tag once, and every reading
 *             of a later poll cycle that repeats the order of the first
 *   ts        per reading: varsint(ts - previous ts), the first against createdAt
 *   headers   per reading: one byte, value kind | quality << 4 | has-reason << 6
 *   reason refs  per reading with a reason: dictionary index
 *   strings   per string reading: length + UTF-8
 *   modes     per tag with finite numbers, in dictionary order: the series mode (values.ts)
 *   numbers   per such tag: its series
 *
 * Column order is also decode order, so the decoder never needs offsets.
 *
 * Columns are kept apart because each is self-similar (zeros, repeated header patterns,
 * similar deltas), which is what the compressor after us exploits.
 */

const tagCache = new EncoderTagCache();
const families = new FamilyState();

// Per-reading and per-tag scratch, reused across calls (the codec is synchronous).
let tagIdx = new Int32Array(0);
let tsCol = new Float64Array(0);
let headers = new Uint8Array(0);
let reasonIdx = new Int32Array(0);
let nums = new Float64Array(0);
let grouped = new Float64Array(0);
let starts = new Int32Array(0);
let fill = new Int32Array(0);
let modes = new Uint8Array(0);
const PREDICTED = 0x80;

function ensureReadingScratch(n: number): void {
  if (tagIdx.length >= n) return;
  const size = Math.max(n, 1024, tagIdx.length * 2);
  tagIdx = new Int32Array(size);
  tsCol = new Float64Array(size);
  headers = new Uint8Array(size);
  reasonIdx = new Int32Array(size);
  nums = new Float64Array(size);
  grouped = new Float64Array(size);
}

function ensureTagScratch(t: number): void {
  if (fill.length >= t) return;
  const size = Math.max(t, 256, fill.length * 2);
  starts = new Int32Array(size + 1);
  fill = new Int32Array(size);
  modes = new Uint8Array(size);
}

function invalid(message: string, details?: Record<string, unknown>): CodecError {
  return new CodecError('DCMMS_CODEC_INVALID_INPUT', message, details === undefined ? undefined : { details });
}

function readingError(i: number, message: string): CodecError {
  return invalid(`readings[${i}]: ${message}`, { index: i });
}

/** The contract's rule for tags and reasons, checked once per distinct string. */
function checkName(s: unknown, i: number, field: 'tag' | 'reason', min: number, max: number): string {
  if (typeof s !== 'string') throw readingError(i, `${field} must be a string`);
  if (s.length < min || s.length > max) throw readingError(i, `${field} must have ${min}-${max} UTF-16 code units, has ${s.length}`);
  for (let c = 0; c < s.length; c++) {
    const u = s.charCodeAt(c);
    if (u < 0x20 || u === 0x7f) throw readingError(i, `${field} contains a control character`);
  }
  if (!s.isWellFormed()) throw readingError(i, `${field} contains a lone surrogate`);
  return s;
}

function checkHeader(batch: TelemetryBatch): void {
  if (typeof batch !== 'object' || batch === null) throw invalid('batch must be an object');
  if (!siteIdSchema.safeParse(batch.site).success) throw invalid('site is not a valid site id', { site: String(batch.site) });
  if (batch.stream !== 'live' && batch.stream !== 'backfill') throw invalid('stream must be "live" or "backfill"');
  if (!Number.isSafeInteger(batch.seq) || batch.seq < 0) throw invalid('seq must be a safe non-negative integer');
  const c = batch.createdAt;
  if (!Number.isInteger(c) || c < 0 || c > LIMITS.maxTimestampMs) throw invalid('createdAt must be an integral timestamp in range');
  if (!Array.isArray(batch.readings)) throw invalid('readings must be an array');
  if (batch.readings.length > LIMITS.maxReadingsPerBatch) {
    throw invalid(`a batch holds at most ${LIMITS.maxReadingsPerBatch} readings, got ${batch.readings.length}`);
  }
}

/** Write the body of `batch` into `w` (reset by the caller). */
export function encodeBatchBody(batch: TelemetryBatch, w: ByteWriter): void {
  checkHeader(batch);
  const readings = batch.readings;
  const n = readings.length;
  ensureReadingScratch(n);
  const epoch = tagCache.begin();
  const tags: EncoderTag[] = [];
  const reasonMap = new Map<string, number>();
  const reasons: string[] = [];
  let reasonCount = 0;

  // Pass 1: validate, build the dictionaries, classify each reading.
  for (let i = 0; i < n; i++) {
    const r = readings[i];
    if (typeof r !== 'object' || r === null) throw readingError(i, 'must be an object');
    let entry = tagCache.get(r.tag);
    if (entry === undefined) entry = tagCache.add(checkName(r.tag, i, 'tag', 1, LIMITS.maxTagLength));
    if (entry.epoch !== epoch) {
      if (tags.length >= LIMITS.maxTagsPerBatch) throw readingError(i, `more than ${LIMITS.maxTagsPerBatch} distinct tags in one batch`);
      entry.epoch = epoch;
      entry.index = tags.length;
      tags.push(entry);
    }
    tagIdx[i] = entry.index;
    const ts = r.ts;
    if (!Number.isInteger(ts) || ts < 0 || ts > LIMITS.maxTimestampMs) throw readingError(i, 'ts must be an integral timestamp in range');
    tsCol[i] = ts;

    let h: number;
    const v: unknown = r.value;
    switch (typeof v) {
      case 'number':
        if (v - v === 0) {
          // Finite. -0 is its own kind so that series only hold values every mode can carry.
          if (v === 0 && 1 / v < 0) h = VALUE_KIND.negZero;
          else {
            h = VALUE_KIND.number;
            nums[i] = v;
          }
        } else h = v !== v ? VALUE_KIND.nan : v > 0 ? VALUE_KIND.posInf : VALUE_KIND.negInf;
        break;
      case 'boolean':
        h = v ? VALUE_KIND.true : VALUE_KIND.false;
        break;
      case 'string':
        if (v.length > LIMITS.maxStringValueLength) throw readingError(i, `string value longer than ${LIMITS.maxStringValueLength} code units`);
        if (!v.isWellFormed()) throw readingError(i, 'string value contains a lone surrogate');
        h = VALUE_KIND.string;
        break;
      default:
        if (v !== null) throw readingError(i, 'value must be a number, boolean, string or null');
        h = VALUE_KIND.null;
    }
    switch (r.quality) {
      case 'good':
        break;
      case 'uncertain':
        h |= 1 << QUALITY_SHIFT;
        break;
      case 'bad':
        h |= 2 << QUALITY_SHIFT;
        break;
      default:
        throw readingError(i, 'quality must be good, uncertain or bad');
    }
    const reason = r.reason;
    if (reason !== undefined) {
      let ri = reasonMap.get(reason);
      if (ri === undefined) {
        checkName(reason, i, 'reason', 0, LIMITS.maxReasonLength);
        ri = reasons.length;
        reasonMap.set(reason, ri);
        reasons.push(reason);
      }
      reasonIdx[i] = ri;
      h |= HAS_REASON_BIT;
      reasonCount++;
    }
    headers[i] = h;
  }

  const tagCount = tags.length;
  w.u8(batch.site.length);
  for (let c = 0; c < batch.site.length; c++) w.u8(batch.site.charCodeAt(c));
  w.u8(STREAM_CODE[batch.stream]);
  w.varUint(batch.seq);
  w.varUint(batch.createdAt);
  w.varUint(n);
  w.varUint(tagCount);
  w.varUint(reasons.length);

  let before: EncoderTag | undefined;
  for (let t = 0; t < tagCount; t++) {
    const entry = tags[t] as EncoderTag;
    const bytes = entry.bytes;
    let shared = 0;
    if (before !== undefined) {
      // Tags of one device request follow each other in every batch: remember the prefix.
      if (entry.before === before) shared = entry.sharedWithBefore;
      else {
        const prev = before.bytes;
        const max = Math.min(bytes.length, prev.length);
        while (shared < max && bytes[shared] === prev[shared]) shared++;
        entry.before = before;
        entry.sharedWithBefore = shared;
      }
    }
    w.varUint(shared);
    w.varUint(bytes.length - shared);
    w.bytes(bytes, shared, bytes.length);
    before = entry;
  }
  for (const reason of reasons) w.lengthPrefixedUtf8(reason);

  let prevIdx = -1;
  for (let i = 0; i < n; i++) {
    const idx = tagIdx[i] as number;
    w.varSint(idx - prevIdx - 1);
    prevIdx = idx;
  }
  let prevTs = batch.createdAt;
  for (let i = 0; i < n; i++) {
    const ts = tsCol[i] as number;
    w.varSint(ts - prevTs);
    prevTs = ts;
  }
  w.bytes(headers, 0, n);
  if (reasonCount > 0) {
    for (let i = 0; i < n; i++) if ((headers[i] as number) & HAS_REASON_BIT) w.varUint(reasonIdx[i] as number);
  }

  // Strings, and a count of each tag's numbers for grouping them into series.
  ensureTagScratch(tagCount);
  starts.fill(0, 0, tagCount + 1);
  let numCount = 0;
  for (let i = 0; i < n; i++) {
    const kind = (headers[i] as number) & KIND_MASK;
    if (kind === VALUE_KIND.number) {
      const slot = (tagIdx[i] as number) + 1;
      starts[slot] = (starts[slot] as number) + 1;
      numCount++;
    } else if (kind === VALUE_KIND.string) {
      w.lengthPrefixedUtf8((readings[i] as { value: string }).value);
    }
  }
  if (numCount === 0) return;

  // Counting sort of the numbers by tag, keeping batch order within each tag.
  for (let t = 0; t < tagCount; t++) {
    starts[t + 1] = (starts[t + 1] as number) + (starts[t] as number);
    fill[t] = starts[t] as number;
  }
  for (let i = 0; i < n; i++) {
    if (((headers[i] as number) & KIND_MASK) === VALUE_KIND.number) {
      const t = tagIdx[i] as number;
      const at = fill[t] as number;
      grouped[at] = nums[i] as number;
      fill[t] = at + 1;
    }
  }
  // Modes first (a column of their own), then the series. A series takes over its family's
  // mode whenever its values fit, even if a smaller one would do: "as family" is nearly free
  // after compression and lets the first value be predicted.
  families.begin(tagCache.familyCount);
  for (let t = 0; t < tagCount; t++) {
    const s = starts[t] as number;
    const e = starts[t + 1] as number;
    if (e === s) continue;
    const family = (tags[t] as EncoderTag).family;
    const previous = families.mode(family);
    if (previous >= 0 && isPredictableMode(previous) && fitsMode(previous, grouped, s, e)) {
      modes[t] = previous | PREDICTED;
      w.u8(MODE_AS_FAMILY);
      families.setMode(family, previous);
    } else {
      const mode = chooseMode(grouped, s, e);
      modes[t] = predicts(previous, mode) ? mode | PREDICTED : mode;
      w.u8(mode);
      families.setMode(family, mode);
    }
  }
  for (let t = 0; t < tagCount; t++) {
    const s = starts[t] as number;
    const e = starts[t + 1] as number;
    if (e === s) continue;
    const family = (tags[t] as EncoderTag).family;
    const m = modes[t] as number;
    const anchor = writeSeries(w, m & ~PREDICTED, grouped, s, e, (m & PREDICTED) !== 0, families.anchor(family));
    families.setAnchor(family, anchor);
  }
}
