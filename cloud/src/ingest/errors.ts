import { DcmmsError } from '@dcmms/shared';

/** Why an uplink message was refused; each is counted by code and kept as a dead letter. */
export type UplinkErrorCode =
  /** Not decodable at all: bad codec frame, not JSON. */
  | 'DCMMS_UPLINK_UNDECODABLE'
  /** Decodes, but breaks the contract's schema. */
  | 'DCMMS_UPLINK_INVALID'
  /** The site inside the payload is not the site whose credential sent it. */
  | 'DCMMS_UPLINK_SITE_MISMATCH'
  /** Larger than the gateway accepts. */
  | 'DCMMS_UPLINK_TOO_LARGE'
  /** A topic the client may not publish to. */
  | 'DCMMS_UPLINK_UNAUTHORIZED'
  /** A sink refused the message for good (a DcmmsError from the registry, e.g. an unknown site). */
  | 'DCMMS_UPLINK_REFUSED';

export class UplinkError extends DcmmsError<UplinkErrorCode> {
  override readonly name = 'UplinkError';
}

/**
 * Transient failures are retried (the message is kept, offsets are not committed); permanent
 * ones turn the message into a dead letter. Sinks signal "permanent" by throwing a DcmmsError
 * whose code does not end in `_UNAVAILABLE`. A database refusing the data itself (SQLSTATE
 * class 22 data exception or 23 integrity violation, SQLite constraint/mismatch/range errors)
 * is permanent too: the same message would fail the same way forever and block its partition.
 * Anything else (a dropped connection, a timeout, a database shutting down) is transient.
 */
export function isPermanentFailure(err: unknown): boolean {
  if (err instanceof DcmmsError) return !err.code.endsWith('_UNAVAILABLE');
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|MISMATCH|RANGE|TOOBIG)/.test(code);
}
