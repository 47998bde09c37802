import type { BackoffConfig } from '@dcmms/shared';

/**
 * Delay before reconnect attempt `attempt` (0-based): initial * multiplier^attempt, capped,
 * spread by +-jitter so a fleet of sites does not reconnect in lockstep after a cloud outage.
 * (The adapters have the same rule; the uplink keeps its own copy so the agent does not load
 * the adapters' package, and node-opcua with it, for three lines.)
 */
export function reconnectDelay(attempt: number, cfg: BackoffConfig, random: () => number = Math.random): number {
  const base = Math.min(cfg.maxMs, cfg.initialMs * cfg.multiplier ** Math.min(attempt, 64));
  const spread = base * cfg.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(cfg.maxMs, base + spread)));
}
