import { DcmmsError } from '@dcmms/shared';

export type DownlinkErrorCode =
  /** Not a message the downlink can carry (bad site id, unknown channel). */
  | 'DCMMS_DOWNLINK_INVALID'
  /** The broker or Kafka did not take it: try again. */
  | 'DCMMS_DOWNLINK_UNAVAILABLE';

export class DownlinkError extends DcmmsError<DownlinkErrorCode> {
  override readonly name = 'DownlinkError';
}
