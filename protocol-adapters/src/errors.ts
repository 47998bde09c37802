import { DcmmsError, type DcmmsErrorOptions } from '@dcmms/shared';

/** The error catalogue of the protocol adapters: callers switch on `code`. */
export const ADAPTER_ERROR_CODES = [
  /** The device config is not one this adapter can run. */
  'DCMMS_ADAPTER_CONFIG',
  /** A write to a tag that is unknown, not writable, or a value that does not fit its type. */
  'DCMMS_ADAPTER_WRITE_REFUSED',
  /** A write the device rejected or did not answer. */
  'DCMMS_ADAPTER_WRITE_FAILED',
  /** The adapter is not connected (readOnce/write while disconnected). */
  'DCMMS_ADAPTER_NOT_CONNECTED',
  /** The server refused a monitored item filter (percent deadband on an item without an EU range). */
  'DCMMS_OPCUA_FILTER_UNSUPPORTED',
  /** The server's certificate is not in trusted/ and trust-on-first-use is off. */
  'DCMMS_OPCUA_UNTRUSTED_SERVER',
  /** Connecting, creating a session or browsing failed. */
  'DCMMS_OPCUA_CONNECT_FAILED',
  'DCMMS_OPCUA_BROWSE_FAILED',
  /** A secret reference (env variable, file) could not be resolved. */
  'DCMMS_ADAPTER_SECRET',
  /** The simulator could not start (port in use, unknown profile). */
  'DCMMS_SIM_FAILED',
] as const;
export type AdapterErrorCode = (typeof ADAPTER_ERROR_CODES)[number];

export class AdapterError extends DcmmsError<AdapterErrorCode> {
  override readonly name = 'AdapterError';
  constructor(code: AdapterErrorCode, message: string, options?: DcmmsErrorOptions) {
    super(code, message, options);
  }
}
