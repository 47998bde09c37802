import { z } from 'zod';
import { ROLES } from '../../registry/roles.js';
import { epochMs, label, searchText, siteId, uuid } from './common.js';

export const loginBody = z.strictObject({
  username: searchText(128),
  password: z.string().min(1).max(1024),
});

export const tokensOut = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresAt: epochMs.describe('when the access token expires'),
    refreshExpiresAt: epochMs,
  })
  .meta({ id: 'Tokens' });

export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(256) });

export const meOut = z.object({
  kind: z.enum(['user', 'api_key']),
  id: z.string(),
  name: z.string(),
  tenantId: z.string(),
  role: z.enum(ROLES),
  sites: z.array(z.string()).nullable(),
  root: z.boolean(),
  permissions: z.array(z.string()),
});

export const passwordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(12, 'at least 12 characters').max(1024),
});

export const userOut = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    sites: z.array(z.string()).nullable(),
    disabled: z.boolean(),
    createdAt: epochMs,
    updatedAt: epochMs,
    lastLoginAt: epochMs.nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'User' });

const username = z.string().min(3).max(64).regex(/^[A-Za-z0-9._@-]+$/, 'expected 3-64 of letters, digits and . _ @ -');
const siteScope = z.array(siteId).max(1000).nullable().describe('sites the user is limited to; null: every site of the tenant');

export const userCreateBody = z.strictObject({
  username,
  displayName: label(128).optional(),
  password: z.string().min(12, 'at least 12 characters').max(1024),
  role: z.enum(ROLES),
  sites: siteScope.optional(),
});

export const userPatchBody = z.strictObject({
  displayName: label(128).optional(),
  role: z.enum(ROLES).optional(),
  sites: siteScope.optional(),
  disabled: z.boolean().optional(),
  password: z.string().min(12, 'at least 12 characters').max(1024).optional(),
  version: z.number().int().min(1).optional(),
});

export const tenantOut = z
  .object({ id: z.string(), name: z.string(), root: z.boolean(), disabled: z.boolean(), createdAt: epochMs, updatedAt: epochMs })
  .meta({ id: 'Tenant' });

export const tenantCreateBody = z.strictObject({
  name: label(128),
  /** The tenant's first admin. */
  admin: z.strictObject({ username, password: z.string().min(12).max(1024), displayName: label(128).optional() }),
});
export const tenantPatchBody = z.strictObject({ name: label(128).optional(), disabled: z.boolean().optional() });

export const apiKeyOut = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    sites: z.array(z.string()).nullable(),
    createdBy: z.string(),
    createdAt: epochMs,
    expiresAt: epochMs.nullable(),
    revokedAt: epochMs.nullable(),
    lastUsedAt: epochMs.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyCreateBody = z.strictObject({
  name: label(128),
  role: z.enum(ROLES),
  sites: siteScope.optional(),
  expiresAt: epochMs.nullable().optional(),
});

export const apiKeyCreatedOut = z.object({ apiKey: apiKeyOut, key: z.string().describe('shown once: store it now') });

export const idParam = z.strictObject({ id: uuid });
