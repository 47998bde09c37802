import type { AlertEvent, CommandResult, ConfigResult, SiteStatus } from '@dcmms/shared';
import type { AlertEventSink, EdgeResultSink, SiteCredentialVerifier, SiteDirectory, SiteInfo, SiteStatusSink } from '../ports/index.js';
import type { Registry } from './registry.js';

/** The gateway checks site credentials against the registry. */
export function registryCredentialVerifier(registry: Registry): SiteCredentialVerifier {
  return { verify: (site, secret) => registry.credentials.verify(site, secret) };
}

/**
 * Site -> tenant and tag -> asset for the intake, cached for `ttlMs` (the intake calls it per
 * batch; a rebinding shows up within the TTL). Unknown sites are cached too, more briefly, so
 * a misconfigured edge cannot turn every batch into a query.
 */
export function registrySiteDirectory(registry: Registry, options: { readonly ttlMs?: number; readonly maxSites?: number } = {}): SiteDirectory & { invalidate(siteId?: string): void } {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxSites = options.maxSites ?? 10_000;
  const cache = new Map<string, { readonly at: number; readonly info: Promise<SiteInfo | null> }>();
  const load = async (siteId: string): Promise<SiteInfo | null> => {
    const tenantId = await registry.sites.tenantOf(siteId);
    if (tenantId === null) return null;
    const bindings = await registry.assets.bindingsOfSite(siteId);
    return { siteId, tenantId, assetOf: (tag) => bindings.get(tag) ?? null };
  };
  return {
    site(siteId) {
      const now = registry.clock.now();
      const hit = cache.get(siteId);
      if (hit && now - hit.at < ttlMs) return hit.info;
      if (cache.size >= maxSites) cache.delete(cache.keys().next().value!);
      const info = load(siteId);
      cache.set(siteId, { at: now, info });
      // A failed lookup is not remembered: the next batch asks again.
      info.then((i) => { if (i === null) cache.set(siteId, { at: now - ttlMs + Math.min(ttlMs, 5_000), info }); }, () => cache.delete(siteId));
      return info;
    },
    invalidate(siteId) {
      if (siteId === undefined) cache.clear();
      else cache.delete(siteId);
    },
  };
}

export function registryAlertEventSink(registry: Registry): AlertEventSink {
  return {
    async applyAlertEvents(events: readonly AlertEvent[]) {
      await registry.alerts.applyEdgeEvents(events);
    },
  };
}

export function registrySiteStatusSink(registry: Registry): SiteStatusSink {
  return {
    async applySiteStatus(status: SiteStatus) {
      await registry.siteStatus.apply(status);
    },
  };
}

export function registryEdgeResultSink(registry: Registry): EdgeResultSink {
  return {
    async applyCommandResult(result: CommandResult) {
      await registry.commands.applyResult(result);
    },
    async applyConfigResult(result: ConfigResult) {
      await registry.configs.applyResult(result);
    },
  };
}
