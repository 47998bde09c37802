import { z } from 'zod';
import { siteIdSchema } from '../contracts/ids.js';
import { tagNameSchema } from '../contracts/reading.js';
import { parseWith } from '../validation.js';
import { alarmRuleSchema } from './alarms.js';
import { assetRefSchema, backoffSchema, devicesSchema, secretRefSchema } from './devices.js';
import type { DeviceConfig, TagConfig } from './devices.js';

/**
 * The site config: one YAML file per site at the edge, and the body of a versioned config
 * the cloud sends down. Pure schema (no I/O): paths are resolved and secrets read by the
 * edge agent, so the cloud validates exactly what the edge will.
 */

export const bufferConfigSchema = z
  .strictObject({
    /** The SQLite file; relative paths are resolved against the config file's folder. */
    path: z.string().min(1).default('data/buffer.db'),
    /** Unacknowledged telemetry older than this is dropped and reported as a gap. */
    maxAgeMs: z.number().int().min(60_000).max(30 * 86_400_000).default(86_400_000),
    /** Stored batch bytes; beyond it the oldest telemetry goes (never alarms) and is reported as a gap. */
    maxBytes: z.number().int().min(4096).max(2 ** 50).default(2 * 1024 ** 3),
    /**
     * A hard cap on the database file (SQLite max_page_count): reaching it behaves like a full
     * disk. Optional; use it to keep the buffer from filling a disk it shares.
     */
    maxFileBytes: z.number().int().min(65_536).max(2 ** 50).optional(),
    /** Readings become a batch at least this often (the design's bound is 250 ms). */
    commitIntervalMs: z.number().int().min(10).max(250).default(200),
    maxReadingsPerBatch: z.number().int().min(1).max(50_000).default(10_000),
    /** An encoded batch above this is split (one MQTT message each). */
    maxBatchBytes: z.number().int().min(1024).max(16 * 1024 ** 2).default(256 * 1024),
    /** Readings held in memory while the disk is full; beyond it the oldest are shed and reported. */
    maxPendingReadings: z.number().int().min(1000).max(10_000_000).default(100_000),
  })
  .refine((b) => b.maxFileBytes === undefined || b.maxFileBytes > b.maxBytes / 2, {
    message: 'expected maxFileBytes well above maxBytes (the file also holds indexes and the alarm journal)',
    path: ['maxFileBytes'],
  });
export type BufferConfig = z.output<typeof bufferConfigSchema>;

export const uplinkTlsSchema = z
  .strictObject({
    /** PEM file of the CA that signed the gateway's certificate (default: the system's CAs). */
    ca: z.string().min(1).optional(),
    /** Client certificate and key (PEM files), for gateways that also authenticate by certificate. */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** Name to verify the gateway's certificate against, when it differs from the URL's host. */
    servername: z.string().min(1).max(253).optional(),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'expected cert and key together', path: ['key'] });

const backoffDefault = { initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0.5 };

export const uplinkConfigSchema = z
  .strictObject({
    /** `mqtts://gateway.example.com:8883` (TLS), or `mqtt://` on a trusted local link. */
    url: z.url({ protocol: /^mqtts?$/, error: 'expected an mqtt:// or mqtts:// URL' }),
    tls: uplinkTlsSchema.optional(),
    /** The gateway authenticates username = site id (the default) and the site secret. */
    username: z.string().min(1).max(256).optional(),
    password: secretRefSchema.optional(),
    clientId: z.string().min(1).max(128).optional(),
    /** Keep the broker session (queued downlink while offline). */
    persistentSession: z.boolean().default(true),
    keepaliveS: z.number().int().min(5).max(3600).default(30),
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** A PUBACK that takes longer than this means the link is dead: reconnect. */
    ackTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
    reconnect: backoffSchema.default(backoffDefault),
    /** Messages awaiting PUBACK per lane. */
    liveInFlight: z.number().int().min(1).max(256).default(16),
    backfillInFlight: z.number().int().min(1).max(256).default(8),
    /** The backlog drains at most this fast, so live data keeps its latency. */
    backfillReadingsPerSecond: z.number().int().min(1).max(10_000_000).default(250_000),
    alertEventsPerMessage: z.number().int().min(1).max(1000).default(200),
    statusIntervalMs: z.number().int().min(1000).max(3_600_000).default(30_000),
  })
  .refine((u) => u.tls === undefined || u.url.startsWith('mqtts:'), { message: 'tls settings need an mqtts:// URL', path: ['tls'] });
export type UplinkConfig = z.output<typeof uplinkConfigSchema>;

export const httpConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** 0.0.0.0 so kubelet probes and Prometheus reach it on the pod address. */
  host: z.string().min(1).default('0.0.0.0'),
  /** 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65535).default(9180),
});
export type HttpConfig = z.output<typeof httpConfigSchema>;

/** Binds tags to an asset of the cloud's hierarchy, besides `asset` on a device or tag. */
export const assetBindingSchema = z.strictObject({
  asset: assetRefSchema,
  tags: z.array(tagNameSchema).min(1).max(50_000),
});
export type AssetBinding = z.output<typeof assetBindingSchema>;

const siteConfigObjectSchema = z.strictObject({
  site: siteIdSchema,
  description: z.string().max(1024).optional(),
  devices: devicesSchema.default([]),
  assets: z.array(assetBindingSchema).max(10_000).default([]),
  alarms: z.array(alarmRuleSchema).max(20_000).default([]),
  buffer: bufferConfigSchema.default(bufferConfigSchema.parse({})),
  /** Absent: the agent buffers and alarms locally only. Local to the site file (see the edge agent's downlink rules). */
  uplink: uplinkConfigSchema.optional(),
  http: httpConfigSchema.default(httpConfigSchema.parse({})),
});

type SiteObject = z.output<typeof siteConfigObjectSchema>;

/** The whole site config, with the checks across sections (tags named by rules exist...). */
export const siteConfigSchema = siteConfigObjectSchema.superRefine((config, ctx) => {
  const tags = tagIndex(config.devices);
  const devices = new Set(config.devices.map((d) => d.name));
  const ruleIds = new Map<string, number>();
  config.alarms.forEach((rule, i) => {
    const prev = ruleIds.get(rule.id);
    if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['alarms', i, 'id'], message: `duplicate alarm rule id, also alarms[${prev}]` });
    else ruleIds.set(rule.id, i);
    if (rule.type === 'comm_loss') {
      if (!devices.has(rule.device)) ctx.addIssue({ code: 'custom', path: ['alarms', i, 'device'], message: `no device named "${rule.device}"` });
    } else if (!tags.has(rule.tag)) {
      ctx.addIssue({ code: 'custom', path: ['alarms', i, 'tag'], message: `no tag named "${rule.tag}" in devices` });
    }
  });
  const boundBy = new Map<string, string>();
  config.assets.forEach((binding, i) => {
    binding.tags.forEach((tag, k) => {
      const at = ['assets', i, 'tags', k];
      const info = tags.get(tag);
      if (info === undefined) {
        ctx.addIssue({ code: 'custom', path: at, message: `no tag named "${tag}" in devices` });
        return;
      }
      const declared = info.tag.asset ?? info.device.asset;
      const other = boundBy.get(tag);
      if (other !== undefined && other !== binding.asset) ctx.addIssue({ code: 'custom', path: at, message: `tag "${tag}" is already bound to asset "${other}"` });
      else if (declared !== undefined && declared !== binding.asset)
        ctx.addIssue({ code: 'custom', path: at, message: `tag "${tag}" is bound to asset "${declared}" by its device config` });
      boundBy.set(tag, binding.asset);
    });
  });
});
export type SiteConfig = z.output<typeof siteConfigSchema>;
export type SiteConfigInput = z.input<typeof siteConfigSchema>;

/** Parses a site config with every problem named by path (`devices[2].tags[5].address: ...`). */
export function parseSiteConfig(value: unknown, what = 'site config'): SiteConfig {
  return parseWith(siteConfigSchema, value, what);
}

export interface TagInfo {
  readonly device: DeviceConfig;
  readonly tag: TagConfig;
}

function tagIndex(devices: readonly DeviceConfig[]): Map<string, TagInfo> {
  const out = new Map<string, TagInfo>();
  for (const device of devices) for (const tag of device.tags as readonly TagConfig[]) if (!out.has(tag.name)) out.set(tag.name, { device, tag });
  return out;
}

export interface SiteTag {
  readonly name: string;
  readonly device: string;
  readonly asset: string | undefined;
  readonly unit: string | undefined;
  readonly writable: boolean;
}

/** Every tag of a site with its device and asset (tag, then device, then `assets` binding). */
export function siteTags(config: Pick<SiteObject, 'devices' | 'assets'>): Map<string, SiteTag> {
  const bound = new Map<string, string>();
  for (const b of config.assets) for (const t of b.tags) bound.set(t, b.asset);
  const out = new Map<string, SiteTag>();
  for (const [name, { device, tag }] of tagIndex(config.devices)) {
    out.set(name, { name, device: device.name, asset: tag.asset ?? device.asset ?? bound.get(name), unit: tag.unit, writable: tag.writable });
  }
  return out;
}
