import { DcmmsError } from '@dcmms/shared';

/**
 * The registry's error catalogue. The API maps each code to an HTTP status and a problem
 * type (api/error-catalogue.ts); callers switch on the code, never on the message.
 */
export const REGISTRY_ERROR_CODES = [
  /** No such entity in the caller's tenant and sites (existence elsewhere is not revealed). */
  'DCMMS_REGISTRY_NOT_FOUND',
  /** A unique name or id is already taken. */
  'DCMMS_REGISTRY_CONFLICT',
  /** The entity changed since the version the caller read (optimistic concurrency). */
  'DCMMS_REGISTRY_STALE_VERSION',
  /** A referenced entity (assignee, parent asset, site) does not exist or is not usable here. */
  'DCMMS_REGISTRY_REFERENCE_INVALID',
  /** A pagination cursor that this registry did not issue (or for another ordering). */
  'DCMMS_REGISTRY_CURSOR_INVALID',
  /** Deleting something others still depend on (a site with assets, an asset with children). */
  'DCMMS_REGISTRY_IN_USE',
  'DCMMS_WO_TRANSITION_NOT_ALLOWED',
  /** A closed work order is a record: it is not edited any more. */
  'DCMMS_WO_CLOSED',
  'DCMMS_ASSET_CYCLE',
  'DCMMS_ASSET_TOO_DEEP',
  'DCMMS_SITE_CONFIG_INVALID',
  'DCMMS_ALERT_ACTION_NOT_ALLOWED',
  'DCMMS_AUTH_INVALID_CREDENTIALS',
  'DCMMS_AUTH_REFRESH_INVALID',
  'DCMMS_AUTH_REFRESH_REUSED',
  'DCMMS_AUTH_API_KEY_INVALID',
  /** A query that would return or scan more than the configured bound. */
  'DCMMS_REGISTRY_QUERY_TOO_LARGE',
] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export class RegistryError extends DcmmsError<RegistryErrorCode> {
  override readonly name = 'RegistryError';
}

export const notFound = (what: string, id: string): RegistryError =>
  new RegistryError('DCMMS_REGISTRY_NOT_FOUND', `${what} ${JSON.stringify(id)} not found`, { details: { what, id } });

export const staleVersion = (what: string, id: string, expected: number, current: number | null): RegistryError =>
  new RegistryError('DCMMS_REGISTRY_STALE_VERSION', `${what} ${JSON.stringify(id)} is at version ${current ?? '?'}, not ${expected}: read it again and retry`, {
    details: { what, id, expected, current },
  });
