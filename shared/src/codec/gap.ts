import { gapRecordSchema } from '../contracts/gap.js';
import type { GapRecord } from '../contracts/gap.js';
import { toIssues } from '../validation.js';
import { CodecError } from './errors.js';
import { decodeUtf8 } from './strings.js';

/**
 * Gap records are rare and small, so their body is plain JSON validated by the contract's
 * schema on both sides: no second binary layout to keep in step with the schema.
 */
export function encodeGapBody(gap: GapRecord): Buffer {
  const parsed = gapRecordSchema.safeParse(gap);
  if (!parsed.success) {
    throw new CodecError('DCMMS_CODEC_INVALID_INPUT', 'gap record breaks the contract', { details: { issues: toIssues(parsed.error) } });
  }
  return Buffer.from(JSON.stringify(parsed.data), 'utf8');
}

export function decodeGapBody(body: Buffer): GapRecord {
  const text = decodeUtf8(body, 0, body.length, 'gap record');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CodecError('DCMMS_CODEC_CORRUPT', 'gap record is not JSON', { cause });
  }
  const parsed = gapRecordSchema.safeParse(json);
  if (!parsed.success) {
    throw new CodecError('DCMMS_CODEC_CORRUPT', 'gap record breaks the contract', { details: { issues: toIssues(parsed.error) } });
  }
  return parsed.data;
}
