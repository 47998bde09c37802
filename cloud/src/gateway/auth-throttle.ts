/**
 * Slows down password guessing: after `maxFailures` refused logins for one (address, site)
 * within `windowMs`, further attempts for that pair are refused without checking the secret
 * until the window has passed. Keyed by the pair, so one broken edge behind a shared NAT
 * address cannot lock out the other sites there. Bounded: the oldest entries go first.
 */
export interface AuthThrottle {
  /** True when this pair may try now. */
  allowed(address: string, site: string, now: number): boolean;
  failed(address: string, site: string, now: number): void;
  succeeded(address: string, site: string): void;
}

export function createAuthThrottle(options: { maxFailures?: number; windowMs?: number; maxEntries?: number } = {}): AuthThrottle {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { since: number; failures: number }>();
  const key = (address: string, site: string) => `${address}|${site}`;
  return {
    allowed(address, site, now) {
      const e = entries.get(key(address, site));
      if (!e) return true;
      if (now - e.since > windowMs) {
        entries.delete(key(address, site));
        return true;
      }
      return e.failures < maxFailures;
    },
    failed(address, site, now) {
      const k = key(address, site);
      const e = entries.get(k);
      if (!e || now - e.since > windowMs) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(k, { since: now, failures: 1 });
      } else {
        e.failures++;
      }
    },
    succeeded(address, site) {
      entries.delete(key(address, site));
    },
  };
}
