import { DcmmsError } from '@dcmms/shared';

export type GatewayErrorCode =
  /** Options or environment that can never work (a TLS port without a certificate, ...). */
  | 'DCMMS_GATEWAY_CONFIG'
  /** A listener could not bind. */
  | 'DCMMS_GATEWAY_LISTEN';

export class GatewayError extends DcmmsError<GatewayErrorCode> {
  override readonly name = 'GatewayError';
}
