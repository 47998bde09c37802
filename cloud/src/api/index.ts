export { buildApi, API_VERSION } from './app.js';
export { parseApiOptions, apiOptionsFromEnv, apiOptionsSchema, type ApiOptions, type ApiOptionsInput } from './options.js';
export type { ApiDeps, ReadinessCheck, ZApp, Access } from './context.js';
export { ERROR_CATALOGUE, ApiError, problemType, type ApiErrorCode, type ProblemCode } from './errors.js';
export { PERMISSIONS, ROLE_PERMISSIONS, TENANT_WIDE, MANAGING_TRANSITIONS, can, type Permission, type AccessSubject } from './permissions.js';
export { resolveJwtSecret } from './jwt-secret.js';
