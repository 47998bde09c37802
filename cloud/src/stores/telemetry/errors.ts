import { DcmmsError } from '@dcmms/shared';

/** Stable codes of the telemetry stores. */
export type TelemetryStoreErrorCode =
  /** The store did not accept a write (down, timeout, refused): retry the same rows later. */
  | 'DCMMS_TELEMETRY_STORE_UNAVAILABLE'
  /** A query the store could not answer (bad option, engine error). */
  | 'DCMMS_TELEMETRY_QUERY_FAILED'
  /** Options that can never work (a table name that is not an identifier). */
  | 'DCMMS_TELEMETRY_STORE_CONFIG';

export class TelemetryStoreError extends DcmmsError<TelemetryStoreErrorCode> {
  override readonly name = 'TelemetryStoreError';
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,126}$/;

/** Table names go into SQL text, so they are identifiers and nothing else. */
export function checkTableName(table: string): string {
  if (!IDENT.test(table)) throw new TelemetryStoreError('DCMMS_TELEMETRY_STORE_CONFIG', `table name ${JSON.stringify(table)} must be letters, digits and _ (not starting with a digit)`);
  return table;
}
