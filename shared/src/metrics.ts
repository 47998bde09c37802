import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every service owns a registry (never prom-client's global one), so two services in one
 * process (the `npm start` demo, tests) do not collide on metric names.
 */
export function createMetricsRegistry(options: { prefix?: string; defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, ...(options.prefix ? { prefix: options.prefix } : {}) });
  }
  return registry;
}
