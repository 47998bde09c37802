import { DcmmsError } from '@dcmms/shared';
import type { DcmmsErrorOptions } from '@dcmms/shared';

/**
 * The edge agent's stable error codes (the catalogue). Callers switch on `code`; the
 * message is for people.
 */
export const EDGE_ERROR_CODES = [
  /** The site config file cannot be read or parsed as YAML. */
  'DCMMS_EDGE_CONFIG_UNREADABLE',
  /** A secret (uplink password) named by the config is missing from the environment or file. */
  'DCMMS_EDGE_SECRET_MISSING',
  /** The buffer database was written by a newer agent (downgrade): refuse rather than guess. */
  'DCMMS_EDGE_BUFFER_NEWER_SCHEMA',
  /** The buffer database belongs to another site. */
  'DCMMS_EDGE_BUFFER_WRONG_SITE',
  /** The disk (or the configured page cap) is full: readings stay in memory, bounded, and are counted if shed. */
  'DCMMS_EDGE_BUFFER_DISK_FULL',
  /** Any other storage failure (I/O error, corruption reported by SQLite). */
  'DCMMS_EDGE_BUFFER_IO',
  /** A config from the downlink that cannot be applied; the running config stays. */
  'DCMMS_EDGE_CONFIG_REJECTED',
  /** A command that is not a write to a writable tag of this site. */
  'DCMMS_EDGE_COMMAND_REFUSED',
  /** No adapter implementation for a device's protocol. */
  'DCMMS_EDGE_NO_ADAPTER',
  /** A device named on the command line does not exist in the config. */
  'DCMMS_EDGE_UNKNOWN_DEVICE',
] as const;
export type EdgeErrorCode = (typeof EDGE_ERROR_CODES)[number];

export class EdgeError extends DcmmsError<EdgeErrorCode> {
  override readonly name = 'EdgeError';

  constructor(code: EdgeErrorCode, message: string, options?: DcmmsErrorOptions) {
    super(code, message, options);
  }
}

export function isEdgeError(err: unknown, code?: EdgeErrorCode): err is EdgeError {
  return err instanceof EdgeError && (code === undefined || err.code === code);
}
