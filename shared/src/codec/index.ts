import { LIMITS } from '../contracts/limits.js';
import type { TelemetryBatch } from '../contracts/batch.js';
import type { GapRecord } from '../contracts/gap.js';
import { encodeBatchBody } from './batch-encode.js';
import { decodeBatchBody } from './batch-decode.js';
import { LEVEL_RANGE } from './compression.js';
import type { Compression, CompressionOptions } from './compression.js';
import { CodecError } from './errors.js';
import { decodeFrame, encodeFrame } from './frame.js';
import { decodeGapBody, encodeGapBody } from './gap.js';
import { MESSAGE_KIND } from './format.js';
import { ByteWriter } from './writer.js';

export { CodecError, CODEC_ERROR_CODES, isCodecError } from './errors.js';
export type { CodecErrorCode } from './errors.js';
export type { Compression, CompressionOptions } from './compression.js';

export interface EncodeOptions {
  /** Default: see DEFAULT_COMPRESSION. */
  readonly compression?: Compression;
  /** deflate 1-9, brotli quality 0-11; ignored for `none`. */
  readonly level?: number;
}

export interface DecodeOptions {
  /** Refuse bodies that declare or inflate to more than this. Default LIMITS.maxDecodedBytes. */
  readonly maxDecodedBytes?: number;
}

export type DecodedTelemetryMessage = { readonly kind: 'batch'; readonly batch: TelemetryBatch } | { readonly kind: 'gap'; readonly gap: GapRecord };

/**
 * Chosen by measurement (`npm run bench:codec`, plant profile, 1 s batches of 2,000
 * readings, round trip per CPU-second on a 2-core EPYC): brotli quality 4 gives 2.41
 * bytes/reading (0.27x JSON+gzip) at about 1.4M readings/s; quality 3 gives 2.55 (0.29x) at
 * about 1.65M; deflate-raw level 1 gives 2.69 (0.30x) at about 1.55M; deflate 6 is no
 * smaller than brotli 3 and slower; brotli 5 saves another 4% of bytes at half the encode
 * speed. Links to sites are slow and metered while 2,000 readings/s cost little CPU at
 * either end, so bytes win: brotli 4.
 */
export const DEFAULT_COMPRESSION: CompressionOptions = Object.freeze({ compression: 'brotli', level: 4 });

// Released after a call that made it bigger than this, so one huge batch does not pin memory.
const KEEP_WRITER_BYTES = 4 * 1024 * 1024;
let writer: ByteWriter | undefined;

function compressionOptions(options: EncodeOptions | undefined): CompressionOptions {
  const compression = options?.compression ?? DEFAULT_COMPRESSION.compression;
  const range = LEVEL_RANGE[compression as Compression] as readonly [number, number] | undefined;
  if (range === undefined || !Object.hasOwn(LEVEL_RANGE, compression)) {
    throw new CodecError('DCMMS_CODEC_INVALID_INPUT', `unknown compression ${String(compression)}`);
  }
  const level = options?.level ?? defaultLevel(compression);
  if (compression !== 'none' && (!Number.isInteger(level) || level < range[0] || level > range[1])) {
    throw new CodecError('DCMMS_CODEC_INVALID_INPUT', `${compression} level must be ${range[0]}-${range[1]}, got ${level}`);
  }
  return { compression, level };
}

/** brotli: the default's quality; deflate: level 1, the fastest, for callers who pick deflate for speed. */
function defaultLevel(compression: Compression): number {
  if (compression === DEFAULT_COMPRESSION.compression) return DEFAULT_COMPRESSION.level;
  return compression === 'deflate' ? 1 : 4;
}

/** One telemetry batch as one wire message (also what the edge buffer stores per row). */
export function encodeTelemetryBatch(batch: TelemetryBatch, options?: EncodeOptions): Buffer {
  const compression = compressionOptions(options);
  const w = (writer ??= new ByteWriter(LIMITS.maxDecodedBytes));
  w.reset(LIMITS.maxDecodedBytes);
  try {
    encodeBatchBody(batch, w);
    if (w.pos > LIMITS.maxDecodedBytes) {
      throw new CodecError('DCMMS_CODEC_TOO_LARGE', `encoded body of ${w.pos} bytes exceeds ${LIMITS.maxDecodedBytes}: split the batch`, {
        details: { bytes: w.pos, limit: LIMITS.maxDecodedBytes },
      });
    }
    return encodeFrame(MESSAGE_KIND.batch, w.buf.subarray(0, w.pos), compression);
  } finally {
    if (w.buf.length > KEEP_WRITER_BYTES) writer = undefined;
  }
}

export function encodeGapRecord(gap: GapRecord, options?: EncodeOptions): Buffer {
  return encodeFrame(MESSAGE_KIND.gap, encodeGapBody(gap), compressionOptions(options));
}

export function decodeTelemetryMessage(bytes: Uint8Array, options?: DecodeOptions): DecodedTelemetryMessage {
  if (!(bytes instanceof Uint8Array)) throw new CodecError('DCMMS_CODEC_INVALID_INPUT', 'decode expects bytes (a Uint8Array or Buffer)');
  const cap = options?.maxDecodedBytes ?? LIMITS.maxDecodedBytes;
  if (!Number.isSafeInteger(cap) || cap < 0) throw new CodecError('DCMMS_CODEC_INVALID_INPUT', 'maxDecodedBytes must be a non-negative integer');
  const frame = decodeFrame(bytes, cap);
  if (frame.kind === MESSAGE_KIND.gap) return { kind: 'gap', gap: decodeGapBody(frame.body) };
  return { kind: 'batch', batch: decodeBatchBody(frame.body) };
}

/** For consumers that only take batches: a gap record is DCMMS_CODEC_WRONG_KIND. */
export function decodeTelemetryBatch(bytes: Uint8Array, options?: DecodeOptions): TelemetryBatch {
  const message = decodeTelemetryMessage(bytes, options);
  if (message.kind !== 'batch') throw new CodecError('DCMMS_CODEC_WRONG_KIND', `expected a telemetry batch, got a ${message.kind} record`);
  return message.batch;
}
