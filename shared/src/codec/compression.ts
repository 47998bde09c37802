import zlib from 'node:zlib';
import { CodecError } from './errors.js';
import { COMPRESSION_CODE } from './format.js';

export type Compression = keyof typeof COMPRESSION_CODE;

export interface CompressionOptions {
  readonly compression: Compression;
  /** deflate: 1-9; brotli: quality 0-11. */
  readonly level: number;
}

export const LEVEL_RANGE: Readonly<Record<Compression, readonly [number, number]>> = Object.freeze({
  none: [0, 0],
  deflate: [1, 9],
  brotli: [0, 11],
});

export function compress(body: Uint8Array, options: CompressionOptions): Buffer {
  if (options.compression === 'deflate') return zlib.deflateRawSync(body, { level: options.level });
  return zlib.brotliCompressSync(body, {
    params: {
      // Generic, not text mode: the body is binary columns.
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_GENERIC,
      [zlib.constants.BROTLI_PARAM_QUALITY]: options.level,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

interface ZlibResult {
  readonly buffer: Buffer;
  readonly engine: { readonly bytesWritten: number };
}

/**
 * Inflate `input` into exactly `declared` bytes. `maxOutputLength` makes zlib stop (and
 * throw) as soon as the output passes the declared length, so a bomb costs at most one
 * output chunk of work and memory whatever it claims. `info` exposes how much input the
 * stream consumed, which is how trailing garbage after the compressed stream is caught.
 */
export function decompress(code: number, input: Buffer, declared: number): Buffer {
  const options = { maxOutputLength: Math.max(1, declared), info: true as const };
  let result: ZlibResult;
  try {
    result = (
      code === COMPRESSION_CODE.deflate ? zlib.inflateRawSync(input, options) : zlib.brotliDecompressSync(input, options)
    ) as unknown as ZlibResult;
  } catch (cause) {
    const errCode = (cause as { code?: unknown } | null)?.code;
    if (errCode === 'ERR_BUFFER_TOO_LARGE') {
      throw new CodecError('DCMMS_CODEC_TOO_LARGE', `body inflates past its declared ${declared} bytes`, {
        cause,
        details: { declared },
      });
    }
    if (errCode === 'Z_BUF_ERROR') {
      throw new CodecError('DCMMS_CODEC_TRUNCATED', 'compressed body ends before its end-of-stream marker', { cause });
    }
    throw new CodecError('DCMMS_CODEC_CORRUPT', 'compressed body does not inflate', { cause });
  }
  if (result.buffer.length !== declared) {
    throw new CodecError('DCMMS_CODEC_CORRUPT', `body inflates to ${result.buffer.length} bytes, declared ${declared}`, {
      details: { declared, actual: result.buffer.length },
    });
  }
  if (result.engine.bytesWritten !== input.length) {
    throw new CodecError('DCMMS_CODEC_CORRUPT', 'trailing bytes after the compressed body', {
      details: { trailing: input.length - result.engine.bytesWritten },
    });
  }
  return result.buffer;
}
