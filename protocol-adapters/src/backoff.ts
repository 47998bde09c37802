import type { BackoffConfig } from '@dcmms/shared';

/**
 * Delay before attempt `attempt` (0-based) of a reconnect: initial * multiplier^attempt,
 * capped, then spread by +-jitter so a fleet of agents does not reconnect in lockstep.
 */
export function backoffDelay(attempt: number, cfg: BackoffConfig, random: () => number = Math.random): number {
  const base = Math.min(cfg.maxMs, cfg.initialMs * cfg.multiplier ** Math.min(attempt, 64));
  const spread = base * cfg.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(cfg.maxMs, base + spread)));
}
