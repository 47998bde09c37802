import { CodecError } from './errors.js';

/**
 * `fatal`: malformed UTF-8 (including encoded surrogates) is an error, never U+FFFD.
 * `ignoreBOM`: a leading U+FEFF is content and must survive the round trip.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode `buf[start, end)` as UTF-8. ASCII (most tags, reasons and strings) takes a
 * fast path through latin1, which is the identity on bytes < 0x80.
 */
export function decodeUtf8(buf: Buffer, start: number, end: number, what: string): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if ((buf[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return buf.toString('latin1', start, end);
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch (cause) {
    throw new CodecError('DCMMS_CODEC_CORRUPT', `${what} is not valid UTF-8`, { cause });
  }
}
