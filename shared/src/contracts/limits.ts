/**
 * Limits of the wire contract. The codec and the schemas enforce the same numbers, and
 * decoding never allocates past them. A batch that validates encodes unless its body passes
 * `maxDecodedBytes` (thousands of long string values): the encoder then refuses it with
 * DCMMS_CODEC_TOO_LARGE, and the edge splits it.
 */
export const LIMITS = Object.freeze({
  /** UTF-16 code units in a tag name. */
  maxTagLength: 256,
  /** UTF-16 code units in a string value (Modbus strings are short; OPC-UA ones can be longer). */
  maxStringValueLength: 4096,
  maxReasonLength: 256,
  maxReadingsPerBatch: 200_000,
  /** Distinct tags in one batch. */
  maxTagsPerBatch: 65_536,
  /** Decompressed body of one encoded message. */
  maxDecodedBytes: 32 * 1024 * 1024,
  /** Latest representable timestamp (the end of JavaScript's Date range), in ms. */
  maxTimestampMs: 8_640_000_000_000_000,
});
