import { DcmmsError } from '@dcmms/shared';
import type { RegistryErrorCode } from '../registry/errors.js';

/** Errors the HTTP layer raises itself (the registry's come from registry/errors.ts). */
export type ApiErrorCode =
  | 'DCMMS_API_VALIDATION_FAILED'
  | 'DCMMS_API_MALFORMED_JSON'
  | 'DCMMS_API_BODY_TOO_LARGE'
  | 'DCMMS_API_UNSUPPORTED_MEDIA_TYPE'
  | 'DCMMS_API_BAD_REQUEST'
  | 'DCMMS_API_UNAUTHENTICATED'
  | 'DCMMS_API_TOKEN_EXPIRED'
  | 'DCMMS_API_FORBIDDEN'
  | 'DCMMS_API_ROUTE_NOT_FOUND'
  | 'DCMMS_API_METHOD_NOT_ALLOWED'
  | 'DCMMS_API_NOT_ACCEPTABLE'
  | 'DCMMS_API_PRECONDITION_REQUIRED'
  | 'DCMMS_API_RATE_LIMITED'
  | 'DCMMS_API_LOGIN_LOCKED'
  | 'DCMMS_API_QUERY_TOO_LARGE'
  | 'DCMMS_API_STREAM_LIMIT'
  | 'DCMMS_API_UNAVAILABLE'
  | 'DCMMS_API_DOWNLINK_FAILED'
  | 'DCMMS_API_INTERNAL';

export type ProblemCode = ApiErrorCode | RegistryErrorCode;

export class ApiError extends DcmmsError<ApiErrorCode> {
  override readonly name = 'ApiError';
}

interface CatalogueEntry {
  readonly status: number;
  readonly title: string;
}

/**
 * Every error code the API can answer with, its HTTP status and a stable title. The problem
 * `type` is `urn:dcmms:problem:<code>`; clients switch on `code` (or `type`), never on `detail`.
 * The `satisfies` makes a new registry code without an entry a compile error.
 */
export const ERROR_CATALOGUE = {
  DCMMS_API_VALIDATION_FAILED: { status: 400, title: 'The request is invalid' },
  DCMMS_API_MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  DCMMS_API_BODY_TOO_LARGE: { status: 413, title: 'The body is too large' },
  DCMMS_API_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  DCMMS_API_BAD_REQUEST: { status: 400, title: 'Bad request' },
  DCMMS_API_UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  DCMMS_API_TOKEN_EXPIRED: { status: 401, title: 'The access token has expired' },
  DCMMS_API_FORBIDDEN: { status: 403, title: 'Not allowed for this role' },
  DCMMS_API_ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  DCMMS_API_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  DCMMS_API_NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  DCMMS_API_PRECONDITION_REQUIRED: { status: 428, title: 'A version is required (If-Match header or version field)' },
  DCMMS_API_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  DCMMS_API_LOGIN_LOCKED: { status: 429, title: 'Too many failed logins for this user' },
  DCMMS_API_QUERY_TOO_LARGE: { status: 422, title: 'The query asks for too much' },
  DCMMS_API_STREAM_LIMIT: { status: 429, title: 'Too many live streams' },
  DCMMS_API_UNAVAILABLE: { status: 503, title: 'A dependency is unavailable' },
  DCMMS_API_DOWNLINK_FAILED: { status: 502, title: 'Stored, but the edge could not be reached' },
  DCMMS_API_INTERNAL: { status: 500, title: 'Internal error' },
  DCMMS_REGISTRY_NOT_FOUND: { status: 404, title: 'Not found' },
  DCMMS_REGISTRY_CONFLICT: { status: 409, title: 'Conflict with an existing entity' },
  DCMMS_REGISTRY_STALE_VERSION: { status: 412, title: 'The entity changed since you read it' },
  DCMMS_REGISTRY_REFERENCE_INVALID: { status: 422, title: 'A referenced entity is invalid' },
  DCMMS_REGISTRY_CURSOR_INVALID: { status: 400, title: 'Invalid pagination cursor' },
  DCMMS_REGISTRY_IN_USE: { status: 409, title: 'Still in use' },
  DCMMS_REGISTRY_QUERY_TOO_LARGE: { status: 422, title: 'The query asks for too much' },
  DCMMS_WO_TRANSITION_NOT_ALLOWED: { status: 409, title: 'Transition not allowed from the current state' },
  DCMMS_WO_CLOSED: { status: 409, title: 'The work order is closed' },
  DCMMS_ASSET_CYCLE: { status: 409, title: 'The asset hierarchy would contain a cycle' },
  DCMMS_ASSET_TOO_DEEP: { status: 422, title: 'The asset hierarchy would be too deep' },
  DCMMS_SITE_CONFIG_INVALID: { status: 422, title: 'The site config is invalid' },
  DCMMS_ALERT_ACTION_NOT_ALLOWED: { status: 409, title: 'Action not allowed in the alert state' },
  DCMMS_AUTH_INVALID_CREDENTIALS: { status: 401, title: 'Invalid username or password' },
  DCMMS_AUTH_REFRESH_INVALID: { status: 401, title: 'Invalid refresh token' },
  DCMMS_AUTH_REFRESH_REUSED: { status: 401, title: 'Refresh token reused: session revoked' },
  DCMMS_AUTH_API_KEY_INVALID: { status: 401, title: 'Invalid API key' },
} as const satisfies Record<ProblemCode, CatalogueEntry>;

export const problemType = (code: string): string => `urn:dcmms:problem:${code}`;

export const forbidden = (what: string): ApiError => new ApiError('DCMMS_API_FORBIDDEN', what);
