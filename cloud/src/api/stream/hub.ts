import type { Logger } from '@dcmms/shared';
import type { TelemetryRow, TelemetryStore } from '../../ports/telemetry-store.js';
import type { RegistryChange } from '../../registry/changes.js';
import { siteVisible, type Scope } from '../../registry/context.js';
import type { Registry } from '../../registry/registry.js';
import type { ApiMetrics } from '../plugins/metrics.js';

export type StreamEventType = 'alert' | 'latest';

export interface LatestValue {
  readonly tag: string;
  readonly ts: number;
  readonly value: number | null;
  readonly text: string | null;
  readonly quality: string;
}

/** One live-stream client: what it may see, what it asked for, and how to reach it. */
export interface StreamSubscriber {
  readonly principalId: string;
  readonly scope: Scope;
  readonly types: ReadonlySet<StreamEventType>;
  /** Sites asked for (null: every site of the scope; latest values need explicit sites). */
  readonly sites: readonly string[] | null;
  /** Assets asked for (null: any). */
  readonly assets: ReadonlySet<string> | null;
  /** For latest values: the tags of the requested assets per site (null: every tag). */
  readonly tagsBySite: ReadonlyMap<string, ReadonlySet<string>> | null;
  /** False when the client is not keeping up: the hub then drops it. */
  send(event: StreamEventType, data: unknown): boolean;
  close(): void;
}

export interface StreamHub {
  add(subscriber: StreamSubscriber): () => void;
  count(): number;
  countFor(principalId: string): number;
  close(): void;
}

export interface StreamHubOptions {
  readonly alertPollMs: number;
  readonly latestPollMs: number;
}

const OVERLAP_MS = 2000;
const SEEN_LIMIT = 20_000;

/**
 * Fans alert changes and latest values out to live-stream clients. Alert changes arrive on the
 * registry's in-process bus and, for changes made by other processes (the intake workers,
 * other API replicas), from polling the alerts table by update time; a change is identified by
 * (alert id, revision) and sent once. Latest values are polled per site from the telemetry
 * store, one poll per site whatever the number of clients, and only changes are sent.
 */
export function createStreamHub(registry: Registry, telemetry: TelemetryStore, options: StreamHubOptions, metrics: ApiMetrics, log: Logger): StreamHub {
  const subscribers = new Set<StreamSubscriber>();
  const seen = new Map<string, true>();
  let alertTimer: NodeJS.Timeout | null = null;
  let alertCursor = 0;
  const latestPollers = new Map<string, { timer: NodeJS.Timeout | null; last: Map<string, number>; stopped: boolean }>();
  let closed = false;

  const drop = (s: StreamSubscriber) => {
    if (!subscribers.delete(s)) return;
    metrics.streamClients.set(subscribers.size);
    s.close();
    syncPollers();
  };
  const deliver = (s: StreamSubscriber, type: StreamEventType, data: unknown) => {
    if (!s.send(type, data)) {
      log.warn({ principal: s.principalId }, 'live-stream client not keeping up: dropped');
      drop(s);
      return;
    }
    metrics.streamEvents.inc({ type });
  };

  const onAlertChange = async (c: RegistryChange) => {
    const key = `${c.id}:${c.revision}`;
    if (seen.has(key)) return;
    seen.set(key, true);
    if (seen.size > SEEN_LIMIT) for (const k of [...seen.keys()].slice(0, SEEN_LIMIT / 2)) seen.delete(k);
    const targets = [...subscribers].filter(
      (s) =>
        s.types.has('alert') &&
        s.scope.tenantId === c.tenantId &&
        siteVisible(s.scope, c.siteId) &&
        (s.sites === null || s.sites.includes(c.siteId)) &&
        (s.assets === null || (c.assetId !== null && s.assets.has(c.assetId))),
    );
    if (targets.length === 0) return;
    const alert = await registry.alerts.get({ tenantId: c.tenantId, sites: null }, c.id);
    if (!alert) return;
    for (const s of targets) deliver(s, 'alert', alert);
  };
  const unsubscribeBus = registry.changes.subscribe((c) => {
    if (c.type === 'alert') onAlertChange(c).catch((err: unknown) => log.warn({ err }, 'live stream: alert change not delivered'));
  });

  const pollAlerts = async () => {
    const rows = await registry.alerts.changedSince(Math.max(0, alertCursor - OVERLAP_MS), 500);
    for (const r of rows) {
      alertCursor = Math.max(alertCursor, r.updatedAt);
      await onAlertChange({ type: 'alert', tenantId: r.tenantId, siteId: r.siteId, assetId: r.assetId, id: r.id, revision: r.revision });
    }
  };
  const scheduleAlerts = () => {
    if (closed || alertTimer !== null || ![...subscribers].some((s) => s.types.has('alert'))) return;
    alertTimer = setTimeout(() => {
      pollAlerts()
        .catch((err: unknown) => log.warn({ err }, 'live stream: polling alert changes failed'))
        .finally(() => {
          alertTimer = null;
          scheduleAlerts();
        });
    }, options.alertPollMs);
  };

  const pollSite = async (site: string, state: { last: Map<string, number> }) => {
    const rows = await telemetry.latest(site);
    const changed = rows.filter((r) => (state.last.get(r.tag) ?? -1) < r.ts);
    for (const r of changed) state.last.set(r.tag, r.ts);
    if (changed.length === 0) return;
    for (const s of subscribers) {
      if (!s.types.has('latest') || !s.sites?.includes(site)) continue;
      const tags = s.tagsBySite?.get(site);
      const mine = tags === undefined ? changed : changed.filter((r) => tags.has(r.tag));
      if (mine.length > 0) deliver(s, 'latest', { siteId: site, values: mine.map(toLatest) });
    }
  };
  const startSite = (site: string) => {
    const state = { timer: null as NodeJS.Timeout | null, last: new Map<string, number>(), stopped: false };
    latestPollers.set(site, state);
    const tick = () => {
      state.timer = setTimeout(() => {
        pollSite(site, state)
          .catch((err: unknown) => log.warn({ err, site }, 'live stream: polling latest values failed'))
          .finally(() => {
            if (!state.stopped) tick();
          });
      }, options.latestPollMs);
    };
    // The first poll only learns the current values; clients got their snapshot when they joined.
    telemetry
      .latest(site)
      .then((rows) => rows.forEach((r) => state.last.set(r.tag, Math.max(state.last.get(r.tag) ?? -1, r.ts))))
      .catch(() => undefined)
      .finally(() => {
        if (!state.stopped) tick();
      });
  };
  const syncPollers = () => {
    const wanted = new Set<string>();
    for (const s of subscribers) if (s.types.has('latest')) for (const site of s.sites ?? []) wanted.add(site);
    for (const [site, state] of latestPollers) {
      if (wanted.has(site)) continue;
      state.stopped = true;
      if (state.timer) clearTimeout(state.timer);
      latestPollers.delete(site);
    }
    if (!closed) for (const site of wanted) if (!latestPollers.has(site)) startSite(site);
    if (alertCursor === 0) alertCursor = registry.clock.now();
    scheduleAlerts();
  };

  return {
    add(s) {
      subscribers.add(s);
      metrics.streamClients.set(subscribers.size);
      syncPollers();
      return () => drop(s);
    },
    count: () => subscribers.size,
    countFor: (id) => [...subscribers].filter((s) => s.principalId === id).length,
    close() {
      closed = true;
      unsubscribeBus();
      if (alertTimer) clearTimeout(alertTimer);
      alertTimer = null;
      for (const s of [...subscribers]) drop(s);
      for (const state of latestPollers.values()) {
        state.stopped = true;
        if (state.timer) clearTimeout(state.timer);
      }
      latestPollers.clear();
    },
  };
}

export const toLatest = (r: TelemetryRow): LatestValue => ({ tag: r.tag, ts: r.ts, value: r.value, text: r.text, quality: r.quality });
