import { z } from 'zod';
import { tagNameSchema } from '@dcmms/shared';
import { epochMs, label, location, locationOut, metadata, pageQuery, searchText, siteId, uuid } from './common.js';

const assetFields = {
  id: z.string(),
  tenantId: z.string(),
  siteId: z.string(),
  parentId: z.string().nullable(),
  depth: z.number().int().describe('1 directly under the site, at most 5'),
  name: z.string(),
  kind: z.string(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  serial: z.string().nullable(),
  installDate: z.string().nullable(),
  location: locationOut.nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: epochMs,
  updatedAt: epochMs,
  version: z.number().int(),
};
export const assetOut = z.object(assetFields).meta({ id: 'Asset' });

export interface AssetNodeOut extends z.infer<typeof assetOut> {
  children: AssetNodeOut[];
}
export const assetNodeOut: z.ZodType<AssetNodeOut> = z.object({
  ...assetFields,
  get children() {
    return z.array(assetNodeOut);
  },
});
export const hierarchyOut = z.object({ ancestors: z.array(assetOut), asset: assetNodeOut });

const kind = label(64);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'expected a real date');
const tags = z.array(tagNameSchema).max(2000);

export const assetCreateBody = z.strictObject({
  siteId,
  parentId: uuid.nullable().optional(),
  name: label(200),
  kind,
  manufacturer: label(200).nullable().optional(),
  model: label(200).nullable().optional(),
  serial: label(200).nullable().optional(),
  installDate: isoDate.nullable().optional(),
  location: location.nullable().optional(),
  metadata: metadata.optional(),
  tags: tags.optional().describe('telemetry tags of the site bound to this asset'),
});

export const assetPatchBody = z.strictObject({
  parentId: uuid.nullable().optional().describe('move under another asset of the same site (null: directly under the site)'),
  name: label(200).optional(),
  kind: kind.optional(),
  manufacturer: label(200).nullable().optional(),
  model: label(200).nullable().optional(),
  serial: label(200).nullable().optional(),
  installDate: isoDate.nullable().optional(),
  location: location.nullable().optional(),
  metadata: metadata.optional(),
  version: z.number().int().min(1).optional(),
});

const coord = (min: number, max: number) => z.coerce.number().min(min).max(max);

export const assetListQuery = z.strictObject({
  ...pageQuery,
  siteId: siteId.optional(),
  kind: kind.optional(),
  parentId: uuid.optional(),
  q: searchText().optional().describe('text in name, serial, model or manufacturer'),
  bbox: z
    .string()
    .max(100)
    .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, 'expected minLon,minLat,maxLon,maxLat')
    .optional()
    .describe('minLon,minLat,maxLon,maxLat (minLon > maxLon crosses the antimeridian)'),
});

export const nearbyQuery = z.strictObject({
  lat: coord(-90, 90),
  lon: coord(-180, 180),
  radiusKm: coord(0.001, 1000).describe('at most 1000 km'),
  siteId: siteId.optional(),
  kind: kind.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const nearbyOut = z.object({ items: z.array(assetOut.extend({ distanceKm: z.number() })) });

export const tagsBody = z.strictObject({ tags });
export const tagsOut = z.object({ assetId: z.string(), tags: z.array(z.string()) });
