import type { AlertEvent, CommandResult, ConfigResult, SiteStatus } from '@dcmms/shared';
import type { AlertEventSink, EdgeResultSink, SiteStatusSink } from '../../src/ports/edge-events.js';

/** Our ports recorded in memory, for tests of the intake's plumbing (the registry's own tests cover its sinks). */
export function recordingSinks() {
  const alerts: AlertEvent[] = [];
  const statuses: SiteStatus[] = [];
  const commandResults: CommandResult[] = [];
  const configResults: ConfigResult[] = [];
  const alertSink: AlertEventSink = { applyAlertEvents: async (events) => void alerts.push(...events) };
  const statusSink: SiteStatusSink = { applySiteStatus: async (s) => void statuses.push(s) };
  const resultSink: EdgeResultSink = {
    applyCommandResult: async (r) => void commandResults.push(r),
    applyConfigResult: async (r) => void configResults.push(r),
  };
  return { alerts, statuses, commandResults, configResults, alertSink, statusSink, resultSink };
}

/** Polls until `check` returns a truthy value or the deadline passes (no fixed sleeps in tests). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
