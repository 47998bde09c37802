import { DcmmsError, isDcmmsError } from '@dcmms/shared';

/** What `npm start` can fail with; each message says what to do about it. */
export type DemoErrorCode =
  | 'DCMMS_DEMO_OPTIONS_INVALID'
  | 'DCMMS_DEMO_PORT_IN_USE'
  | 'DCMMS_DEMO_DATA_DIR_BUSY'
  | 'DCMMS_DEMO_DATA_DIR_INVALID'
  | 'DCMMS_DEMO_ROLE_FAILED'
  | 'DCMMS_DEMO_ENGINES_UNAVAILABLE';

export class DemoError extends DcmmsError<DemoErrorCode> {
  override readonly name = 'DemoError';
}

export const isDemoError = (err: unknown, code?: DemoErrorCode): err is DemoError => err instanceof DemoError && isDcmmsError(err, code);
