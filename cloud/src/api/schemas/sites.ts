import { z } from 'zod';
import { numericValueSchema, tagNameSchema } from '@dcmms/shared';
import { epochMs, label, location, locationOut, metadata, prose, siteId } from './common.js';

export const siteOut = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    description: z.string(),
    timezone: z.string(),
    location: locationOut.nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: epochMs,
    updatedAt: epochMs,
    version: z.number().int(),
  })
  .meta({ id: 'Site' });

const timezone = z.string().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone (Europe/Paris, UTC)');

export const siteCreateBody = z.strictObject({
  id: siteId.describe('1-64 of a-z, 0-9 and inner "-"; names MQTT topics, unique across tenants'),
  name: label(128),
  description: prose(2000).optional(),
  timezone: timezone.optional(),
  location: location.nullable().optional(),
  metadata: metadata.optional(),
});

export const sitePatchBody = z.strictObject({
  name: label(128).optional(),
  description: prose(2000).optional(),
  timezone: timezone.optional(),
  location: location.nullable().optional(),
  metadata: metadata.optional(),
  version: z.number().int().min(1).optional(),
});

export const siteStatusOut = z
  .object({
    siteId: z.string(),
    state: z.enum(['online', 'offline', 'unknown']),
    lastSeenAt: epochMs.nullable(),
    receivedAt: epochMs.nullable(),
    agentVersion: z.string().nullable(),
    appliedConfigVersion: z.number().int().nullable(),
    buffer: z
      .object({ batches: z.number(), readings: z.number(), bytes: z.number(), oldestTs: z.number().nullable(), lastSeq: z.number().nullable(), ackedSeq: z.number().nullable() })
      .nullable(),
    devices: z.array(z.object({ id: z.string(), state: z.string() })).nullable(),
  })
  .meta({ id: 'SiteStatus' });

export const credentialOut = z
  .object({ id: z.string(), siteId: z.string(), createdAt: epochMs, createdBy: z.string(), expiresAt: epochMs.nullable(), revokedAt: epochMs.nullable() })
  .meta({ id: 'SiteCredential' });

export const credentialIssueBody = z.strictObject({
  graceSeconds: z.number().int().min(0).max(30 * 24 * 3600).default(0).describe('how long the current credentials stay valid (0: revoked now)'),
});

export const credentialIssuedOut = z.object({
  credential: credentialOut,
  username: z.string().describe('the MQTT username: the site id'),
  secret: z.string().describe('the MQTT password: shown once, stored hashed'),
});

const configResult = z.object({ status: z.enum(['applied', 'rejected']), reason: z.string().nullable(), at: epochMs }).nullable();
export const configVersionOut = z
  .object({ siteId: z.string(), version: z.number().int(), createdAt: epochMs, createdBy: z.string(), result: configResult })
  .meta({ id: 'SiteConfigVersion' });
export const configDocumentOut = configVersionOut.extend({ body: z.record(z.string(), z.unknown()) }).meta({ id: 'SiteConfigDocument' });
export const configStateOut = z.object({
  desired: configDocumentOut.nullable(),
  appliedVersion: z.number().int().nullable(),
  inSync: z.boolean(),
});
export const configPutBody = z.strictObject({
  body: z.record(z.string(), z.unknown()).describe('the site config document (validated by the shared site-config schema)'),
  version: z.number().int().min(0).optional().describe('the version this edit is based on (0 for the first); If-Match works too'),
});
export const configPutOut = z.object({ document: configDocumentOut, delivered: z.boolean() });

export const commandBody = z.strictObject({
  action: z.discriminatedUnion('type', [z.strictObject({ type: z.literal('write'), tag: tagNameSchema, value: z.union([numericValueSchema, z.boolean()]) })]),
  ttlSeconds: z.number().int().min(1).max(24 * 3600).default(300).describe('the edge refuses the command after this'),
});
export const commandOut = z
  .object({
    id: z.string(),
    siteId: z.string(),
    action: z.object({ type: z.literal('write'), tag: z.string(), value: z.union([z.number(), z.boolean()]) }),
    actor: z.string(),
    issuedAt: epochMs,
    expiresAt: epochMs,
    status: z.enum(['sent', 'succeeded', 'rejected', 'failed', 'expired']),
    reason: z.string().nullable(),
    resultAt: epochMs.nullable(),
  })
  .meta({ id: 'Command' });

export const completenessOut = z.object({
  site: z.string(),
  from: epochMs,
  to: epochMs,
  batches: z.number().int(),
  readings: z.number().int(),
  missing: z.array(z.object({ fromSeq: z.number().int(), toSeq: z.number().int() })),
  gaps: z.array(z.record(z.string(), z.unknown())),
});
