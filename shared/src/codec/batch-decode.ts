import { LIMITS } from '../contracts/limits.js';
import { siteIdSchema } from '../contracts/ids.js';
import type { Reading, ReadingValue } from '../contracts/reading.js';
import type { TelemetryBatch } from '../contracts/batch.js';
import { ByteReader, corrupt, truncated } from './reader.js';
import { decodeUtf8 } from './strings.js';
import { isCleanText } from '../contracts/reading.js';
import { FamilyState, isPredictableMode, isValidMode, predicts, readSeries } from './values.js';
import { DecoderTagCache, rememberAfter, rememberedAfter } from './name-cache.js';
import type { DecoderTag } from './name-cache.js';
import {
  HAS_REASON_BIT,
  MODE_AS_FAMILY,
  KIND_MASK,
  QUALITIES,
  QUALITY_MASK,
  RESERVED_HEADER_BIT,
  VALUE_KIND,
  VALUE_KIND_COUNT,
  maxUtf8Bytes,
} from './format.js';

/** Inverse of batch-encode.ts. Every count is checked against the bytes left and LIMITS before it sizes anything. */

const MAX_TAG_BYTES = maxUtf8Bytes(LIMITS.maxTagLength);
const MAX_REASON_BYTES = maxUtf8Bytes(LIMITS.maxReasonLength);
const MAX_STRING_BYTES = maxUtf8Bytes(LIMITS.maxStringValueLength);
const SITE_ID_MAX = 64;
const QUALITY_COUNT = QUALITIES.length;

// Scratch reused across calls (bounded by LIMITS.maxReadingsPerBatch / maxTagsPerBatch).
let tagIdx = new Int32Array(0);
let tsCol = new Float64Array(0);
let reasonIdx = new Int32Array(0);
let nums = new Float64Array(0);
let starts = new Int32Array(0);
let cursor = new Int32Array(0);
let modes = new Uint8Array(0);
const tagBuf = Buffer.allocUnsafe(MAX_TAG_BYTES);
const tagCache = new DecoderTagCache();
const families = new FamilyState();
const PREDICTED = 0x80;

function ensureReadingScratch(n: number): void {
  if (tagIdx.length >= n) return;
  const size = Math.max(n, 1024, Math.min(tagIdx.length * 2, LIMITS.maxReadingsPerBatch));
  tagIdx = new Int32Array(size);
  tsCol = new Float64Array(size);
  reasonIdx = new Int32Array(size);
  nums = new Float64Array(size);
}

function ensureTagScratch(t: number): void {
  if (cursor.length >= t) return;
  const size = Math.max(t, 256, Math.min(cursor.length * 2, LIMITS.maxTagsPerBatch));
  starts = new Int32Array(size + 1);
  cursor = new Int32Array(size);
  modes = new Uint8Array(size);
}

function readName(r: ByteReader, what: string, bytes: number, maxUnits: number, minUnits: number): string {
  const start = r.skip(bytes);
  return checkName(decodeUtf8(r.buf, start, start + bytes, what), what, minUnits, maxUnits);
}

function checkName(s: string, what: string, minUnits: number, maxUnits: number): string {
  if (s.length < minUnits || s.length > maxUnits) throw corrupt(`${what} has ${s.length} UTF-16 code units, allowed ${minUnits}-${maxUnits}`);
  // Decoded UTF-8 is always well-formed; this catches the control characters.
  if (!isCleanText(s)) throw corrupt(`${what} contains a control character`);
  return s;
}

export function decodeBatchBody(body: Buffer): TelemetryBatch {
  const r = new ByteReader(body);

  const siteLength = r.u8();
  if (siteLength === 0 || siteLength > SITE_ID_MAX) throw corrupt(`site id length ${siteLength}`);
  const siteStart = r.skip(siteLength);
  const site = body.toString('latin1', siteStart, siteStart + siteLength);
  if (!siteIdSchema.safeParse(site).success) throw corrupt('site is not a valid site id');
  const streamCode = r.u8();
  if (streamCode > 1) throw corrupt(`unknown stream ${streamCode}`);
  const stream = streamCode === 0 ? 'live' : 'backfill';
  const seq = r.varUint();
  const createdAt = r.varUint();
  if (createdAt > LIMITS.maxTimestampMs) throw corrupt('createdAt out of range');

  // Each reading takes at least 3 bytes (tag ref, ts, header), each tag 2, each reason 1.
  const n = r.varUint();
  if (n > LIMITS.maxReadingsPerBatch) throw corrupt(`reading count ${n} exceeds ${LIMITS.maxReadingsPerBatch}`);
  const tagCount = r.varUint();
  if (tagCount > n || tagCount > LIMITS.maxTagsPerBatch) throw corrupt(`tag count ${tagCount} for ${n} readings`);
  const reasonCount = r.varUint();
  if (reasonCount > n) throw corrupt(`reason count ${reasonCount} for ${n} readings`);
  if (n * 3 + tagCount * 2 + reasonCount > r.remaining) throw truncated('batch body');

  tagCache.begin();
  const tags: DecoderTag[] = [];
  let previous: DecoderTag | undefined;
  for (let t = 0; t < tagCount; t++) {
    const shared = r.varUint();
    const suffix = r.varUint();
    const prevLen = previous === undefined ? 0 : previous.bytes.length;
    if (shared > prevLen || suffix > MAX_TAG_BYTES - shared) throw corrupt(`tag ${t}: bad front coding`);
    const len = shared + suffix;
    const start = r.skip(suffix);
    let entry = rememberedAfter(previous, shared, body, start, suffix);
    if (entry === undefined) {
      // Assemble the whole name: the shared prefix of the previous one, then the suffix.
      if (previous !== undefined) previous.bytes.copy(tagBuf, 0, 0, shared);
      for (let k = 0; k < suffix; k++) tagBuf[shared + k] = body[start + k] as number;
      entry = tagCache.resolve(tagBuf, len, () => checkName(decodeUtf8(tagBuf, 0, len, 'tag'), 'tag', 1, LIMITS.maxTagLength));
      rememberAfter(previous, shared, entry);
    }
    tags.push(entry);
    previous = entry;
  }
  const reasons: string[] = [];
  for (let k = 0; k < reasonCount; k++) {
    const len = r.varUint();
    if (len > MAX_REASON_BYTES) throw corrupt(`reason ${k} of ${len} bytes`);
    reasons.push(readName(r, 'reason', len, LIMITS.maxReasonLength, 0));
  }

  ensureReadingScratch(n);
  ensureTagScratch(tagCount);
  let seen = 0;
  let prevIdx = -1;
  for (let i = 0; i < n; i++) {
    const idx = prevIdx + 1 + r.varSint();
    if (idx < 0 || idx > seen || idx >= tagCount) throw corrupt(`reading ${i}: tag reference out of range`);
    if (idx === seen) seen++;
    tagIdx[i] = idx;
    prevIdx = idx;
  }
  if (seen !== tagCount) throw corrupt(`${tagCount - seen} dictionary tags are never used`);

  let prevTs = createdAt;
  for (let i = 0; i < n; i++) {
    const ts = prevTs + r.varSint();
    if (!(ts >= 0 && ts <= LIMITS.maxTimestampMs)) throw corrupt(`reading ${i}: timestamp out of range`);
    tsCol[i] = ts;
    prevTs = ts;
  }

  const headerStart = r.skip(n);
  starts.fill(0, 0, tagCount + 1);
  let withReason = 0;
  let strings = 0;
  let numCount = 0;
  for (let i = 0; i < n; i++) {
    const h = body[headerStart + i] as number;
    const kind = h & KIND_MASK;
    if (kind >= VALUE_KIND_COUNT || (h & QUALITY_MASK) >>> 4 >= QUALITY_COUNT || h & RESERVED_HEADER_BIT) {
      throw corrupt(`reading ${i}: bad header byte 0x${h.toString(16)}`);
    }
    if (h & HAS_REASON_BIT) withReason++;
    if (kind === VALUE_KIND.number) {
      const slot = (tagIdx[i] as number) + 1;
      starts[slot] = (starts[slot] as number) + 1;
      numCount++;
    } else if (kind === VALUE_KIND.string) strings++;
  }
  if (withReason > 0 && reasonCount === 0) throw corrupt('reason references without a reason dictionary');
  if (withReason + strings > r.remaining) throw truncated('batch body');

  if (withReason > 0) {
    for (let i = 0; i < n; i++) {
      if ((body[headerStart + i] as number) & HAS_REASON_BIT) {
        const k = r.varUint();
        if (k >= reasonCount) throw corrupt(`reading ${i}: reason reference out of range`);
        reasonIdx[i] = k;
      }
    }
  }
  const stringValues: string[] = [];
  for (let k = 0; k < strings; k++) {
    const len = r.varUint();
    if (len > MAX_STRING_BYTES) throw corrupt(`string value of ${len} bytes`);
    const start = r.skip(len);
    const s = decodeUtf8(body, start, start + len, 'string value');
    if (s.length > LIMITS.maxStringValueLength) throw corrupt(`string value of ${s.length} code units`);
    stringValues.push(s);
  }

  if (numCount > 0) {
    for (let t = 0; t < tagCount; t++) {
      starts[t + 1] = (starts[t + 1] as number) + (starts[t] as number);
      cursor[t] = starts[t] as number;
    }
    families.begin(tagCache.familyCount);
    for (let t = 0; t < tagCount; t++) {
      if ((starts[t + 1] as number) === (starts[t] as number)) continue;
      const family = (tags[t] as DecoderTag).family;
      const byte = r.u8();
      const previous = families.mode(family);
      if (byte === MODE_AS_FAMILY) {
        if (previous < 0 || !isPredictableMode(previous)) throw corrupt(`tag ${t}: "as family" without a predictable family series`);
        modes[t] = previous | PREDICTED;
        families.setMode(family, previous);
      } else {
        if (!isValidMode(byte)) throw corrupt(`tag ${t}: unknown number mode ${byte}`);
        modes[t] = predicts(previous, byte) ? byte | PREDICTED : byte;
        families.setMode(family, byte);
      }
    }
    for (let t = 0; t < tagCount; t++) {
      const s = starts[t] as number;
      const e = starts[t + 1] as number;
      if (e === s) continue;
      const family = (tags[t] as DecoderTag).family;
      const m = modes[t] as number;
      families.setAnchor(family, readSeries(r, m & ~PREDICTED, nums, s, e, (m & PREDICTED) !== 0, families.anchor(family)));
    }
  }
  if (r.remaining !== 0) throw corrupt(`${r.remaining} trailing bytes after the batch body`);

  const readings: Reading[] = [];
  let stringAt = 0;
  for (let i = 0; i < n; i++) {
    const idx = tagIdx[i] as number;
    const h = body[headerStart + i] as number;
    let value: ReadingValue;
    switch (h & KIND_MASK) {
      case VALUE_KIND.number: {
        const at = cursor[idx] as number;
        value = nums[at] as number;
        cursor[idx] = at + 1;
        break;
      }
      case VALUE_KIND.false:
        value = false;
        break;
      case VALUE_KIND.true:
        value = true;
        break;
      case VALUE_KIND.null:
        value = null;
        break;
      case VALUE_KIND.string:
        value = stringValues[stringAt++] as string;
        break;
      case VALUE_KIND.nan:
        value = NaN;
        break;
      case VALUE_KIND.posInf:
        value = Infinity;
        break;
      case VALUE_KIND.negInf:
        value = -Infinity;
        break;
      default:
        value = -0;
    }
    const tag = (tags[idx] as DecoderTag).name;
    const ts = tsCol[i] as number;
    const quality = QUALITIES[(h & QUALITY_MASK) >>> 4] as Reading['quality'];
    readings.push(
      h & HAS_REASON_BIT ? { tag, ts, value, quality, reason: reasons[reasonIdx[i] as number] as string } : { tag, ts, value, quality },
    );
  }
  return { site, stream, seq, createdAt, readings };
}
