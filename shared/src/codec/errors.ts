import { DcmmsError } from '../errors.js';
import type { DcmmsErrorOptions } from '../errors.js';

/**
 * The codec's stable error codes. Decoding reports what is wrong with the bytes; encoding
 * reports what is wrong with the caller's batch (`INVALID_INPUT`) or that it cannot fit in
 * one message (`TOO_LARGE`, split the batch).
 */
export const CODEC_ERROR_CODES = [
  /** Not a dCMMS telemetry message at all (wrong first two bytes). */
  'DCMMS_CODEC_BAD_MAGIC',
  /** A format version this reader does not know: a newer writer. */
  'DCMMS_CODEC_UNSUPPORTED_VERSION',
  /** The message ends before a field it announces. */
  'DCMMS_CODEC_TRUNCATED',
  /** Declared or actual decoded size above the cap, or an encoded batch above the limit. */
  'DCMMS_CODEC_TOO_LARGE',
  /** Anything else that is not what a version-1 writer produces (bad counts, bad UTF-8, trailing bytes). */
  'DCMMS_CODEC_CORRUPT',
  /** A well-formed message of the other kind (a gap record where a batch was expected). */
  'DCMMS_CODEC_WRONG_KIND',
  /** Encode side: the value handed to the encoder breaks the wire contract. */
  'DCMMS_CODEC_INVALID_INPUT',
] as const;
export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[number];

export class CodecError extends DcmmsError<CodecErrorCode> {
  override readonly name = 'CodecError';

  constructor(code: CodecErrorCode, message: string, options?: DcmmsErrorOptions) {
    super(code, message, options);
  }
}

export function isCodecError(err: unknown): err is CodecError {
  return err instanceof CodecError;
}
