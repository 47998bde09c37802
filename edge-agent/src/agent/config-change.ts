import { isDeepStrictEqual } from 'node:util';
import { ValidationError, siteConfigSchema, toIssues } from '@dcmms/shared';
import type { ConfigEnvelope, SiteConfig } from '@dcmms/shared';

export type ConfigChange = { readonly ok: true; readonly config: SiteConfig } | { readonly ok: false; readonly reason: string };

/** Sections that belong to the site's own file: the link to the cloud and the local HTTP port. */
const LOCAL_SECTIONS = ['uplink', 'http'] as const;

/**
 * What a config from the cloud turns the running config into, or why it cannot be applied.
 * Pure. The cloud governs devices, asset bindings, alarm rules and buffer limits; the
 * uplink and the local HTTP settings stay as the site file says (a config that arrived over
 * the uplink must not be able to cut the uplink off), and the buffer file never moves.
 * A section the cloud config omits keeps its running value.
 */
export function planConfigChange(current: SiteConfig, envelope: ConfigEnvelope, site: string): ConfigChange {
  if (envelope.site !== site) return { ok: false, reason: `the config is for site ${envelope.site}, this agent runs ${site}` };
  const body = envelope.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'the config body must be an object' };
  const raw = body as Record<string, unknown>;
  if (raw['site'] !== undefined && raw['site'] !== site) return { ok: false, reason: `the config body names site ${String(raw['site'])}, this agent runs ${site}` };

  const merged: Record<string, unknown> = { ...raw, site };
  for (const section of LOCAL_SECTIONS) if (!(section in raw)) merged[section] = current[section];
  if (!('buffer' in raw)) merged['buffer'] = current.buffer;

  const parsed = siteConfigSchema.safeParse(merged);
  if (!parsed.success) return { ok: false, reason: new ValidationError('site config', toIssues(parsed.error)).message };
  const next = parsed.data;
  for (const section of LOCAL_SECTIONS) {
    if (!isDeepStrictEqual(next[section], current[section])) {
      return { ok: false, reason: `${section} can only be changed in the site's own config file (the cloud config must omit it or repeat it unchanged)` };
    }
  }
  if (next.buffer.path !== current.buffer.path) return { ok: false, reason: `buffer.path cannot change over the downlink (running: ${current.buffer.path})` };
  return { ok: true, config: next };
}
