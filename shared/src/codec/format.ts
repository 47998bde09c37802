/**
 * Wire format version 1, in one place so the encoder and decoder cannot drift.
 *
 * Frame: MAGIC(2) VERSION(1) KIND(1) FLAGS(1) varuint(decoded body length) body...
 * Everything a version-1 reader does not know (another kind, another flag bit) is corrupt:
 * a writer that adds something bumps VERSION, so old readers say "unsupported version"
 * instead of misreading.
 */

/** 0xDC 'M': the first byte is not ASCII, so JSON or text on the topic is told apart at once. */
export const MAGIC_0 = 0xdc;
export const MAGIC_1 = 0x4d;
export const FORMAT_VERSION = 1;
export const FRAME_HEADER_MIN_BYTES = 6;

export const MESSAGE_KIND = Object.freeze({ batch: 1, gap: 2 });

/** Low two bits of FLAGS; the other bits must be zero. */
export const COMPRESSION_CODE = Object.freeze({ none: 0, deflate: 1, brotli: 2 });
export const COMPRESSION_MASK = 0x03;

/** Batch body: stream byte. */
export const STREAM_CODE = Object.freeze({ live: 0, backfill: 1 });

/**
 * One header byte per reading: bits 0-3 value kind, bits 4-5 quality, bit 6 "has a reason".
 * The non-finite numbers and -0 are kinds of their own, so numeric series only ever hold
 * finite values and the decimal mode is not spoilt by one NaN from a sensor fault.
 */
export const VALUE_KIND = Object.freeze({
  number: 0,
  false: 1,
  true: 2,
  null: 3,
  string: 4,
  nan: 5,
  posInf: 6,
  negInf: 7,
  negZero: 8,
});
export const VALUE_KIND_COUNT = 9;
export const KIND_MASK = 0x0f;
export const QUALITY_SHIFT = 4;
export const QUALITY_MASK = 0x30;
export const HAS_REASON_BIT = 0x40;
export const RESERVED_HEADER_BIT = 0x80;

export const QUALITIES = ['good', 'uncertain', 'bad'] as const;

/**
 * Numeric series modes (one byte per tag that has numbers in the batch):
 *   0..9   value = m / 10^k (k = mode), m an integer, |m| < 2^50; zigzag deltas of m
 *   10..19 value = m * 10^-(mode-10): what `raw * 0.1` style scaling produces
 *   20     float32: first value's bits fixed big-endian, then varuint(bits XOR previous bits)
 *   21     float64: first value 8 bytes big-endian, then varuint(hi XOR) varuint(lo XOR)
 *   22     "as the family": the mode of the previous series of the same family (tag leaf,
 *          see name-cache.ts), decimal or float32 only
 * A series whose family had an earlier series in a compatible mode (values.ts, `predicts`)
 * codes its first value against that series' first value (m delta, or bits XOR) instead
 * of from zero.
 */
export const MODE_DIV_BASE = 0;
export const MODE_MUL_BASE = 10;
export const MAX_DECIMAL_EXPONENT = 9;
export const MODE_FLOAT32 = 20;
export const MODE_FLOAT64 = 21;
export const MODE_AS_FAMILY = 22;

/** |m| stays below this so m, its deltas and their zigzag form are exact doubles. */
export const MAX_DECIMAL_MANTISSA = 2 ** 50;

/** UTF-8 bytes a string of n UTF-16 code units can take at most (3 per unit; astral: 4 per 2). */
export const maxUtf8Bytes = (codeUnits: number): number => codeUnits * 3;
