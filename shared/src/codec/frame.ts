import { compress, decompress } from './compression.js';
import type { CompressionOptions } from './compression.js';
import { CodecError } from './errors.js';
import { ByteReader } from './reader.js';
import { varUintBytes } from './varint.js';
import {
  COMPRESSION_CODE,
  COMPRESSION_MASK,
  FORMAT_VERSION,
  FRAME_HEADER_MIN_BYTES,
  MAGIC_0,
  MAGIC_1,
  MESSAGE_KIND,
} from './format.js';

/** Decoded bodies of gap records are small JSON objects; anything bigger is hostile. */
export const MAX_GAP_BODY_BYTES = 64 * 1024;

/**
 * Wrap a body in the frame. The compressed form is used only when it is smaller, so tiny
 * messages (an empty batch, a gap record) do not pay the compressor's overhead.
 */
export function encodeFrame(kind: number, body: Uint8Array, options: CompressionOptions): Buffer {
  let payload: Uint8Array = body;
  let code: number = COMPRESSION_CODE.none;
  if (options.compression !== 'none' && body.length > 0) {
    const packed = compress(body, options);
    if (packed.length < body.length) {
      payload = packed;
      code = COMPRESSION_CODE[options.compression];
    }
  }
  const lengthBytes = varUintBytes(body.length);
  const out = Buffer.allocUnsafe(5 + lengthBytes.length + payload.length);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = FORMAT_VERSION;
  out[3] = kind;
  out[4] = code;
  out.set(lengthBytes, 5);
  out.set(payload, 5 + lengthBytes.length);
  return out;
}

export interface DecodedFrame {
  readonly kind: number;
  readonly body: Buffer;
}

/**
 * Check the frame and return the decoded body. The declared body length is checked against
 * the cap BEFORE anything is inflated, and inflation cannot pass the declared length.
 */
export function decodeFrame(bytes: Uint8Array, maxDecodedBytes: number): DecodedFrame {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if ((input.length > 0 && input[0] !== MAGIC_0) || (input.length > 1 && input[1] !== MAGIC_1)) {
    throw new CodecError('DCMMS_CODEC_BAD_MAGIC', 'not a dCMMS telemetry message');
  }
  if (input.length > 2 && input[2] !== FORMAT_VERSION) {
    throw new CodecError('DCMMS_CODEC_UNSUPPORTED_VERSION', `format version ${input[2]} is not supported (this reader knows ${FORMAT_VERSION})`, {
      details: { version: input[2] },
    });
  }
  if (input.length < FRAME_HEADER_MIN_BYTES) {
    throw new CodecError('DCMMS_CODEC_TRUNCATED', `message of ${input.length} bytes is shorter than a frame header`);
  }
  const kind = input[3] as number;
  if (kind !== MESSAGE_KIND.batch && kind !== MESSAGE_KIND.gap) {
    throw new CodecError('DCMMS_CODEC_CORRUPT', `unknown message kind ${kind}`, { details: { kind } });
  }
  const flags = input[4] as number;
  const code = flags & COMPRESSION_MASK;
  if (flags !== code || code > COMPRESSION_CODE.brotli) {
    throw new CodecError('DCMMS_CODEC_CORRUPT', `unknown flags 0x${flags.toString(16)}`, { details: { flags } });
  }
  const reader = new ByteReader(input, 5);
  const declared = reader.varUint();
  const cap = kind === MESSAGE_KIND.gap ? Math.min(maxDecodedBytes, MAX_GAP_BODY_BYTES) : maxDecodedBytes;
  if (declared > cap) {
    throw new CodecError('DCMMS_CODEC_TOO_LARGE', `declared body of ${declared} bytes exceeds the cap of ${cap}`, {
      details: { declared, cap },
    });
  }
  const payload = input.subarray(reader.pos);
  if (code === COMPRESSION_CODE.none) {
    if (payload.length < declared) {
      throw new CodecError('DCMMS_CODEC_TRUNCATED', `body has ${payload.length} of its ${declared} bytes`);
    }
    if (payload.length > declared) {
      throw new CodecError('DCMMS_CODEC_CORRUPT', `${payload.length - declared} trailing bytes after the body`);
    }
    return { kind, body: payload };
  }
  return { kind, body: decompress(code, payload, declared) };
}
