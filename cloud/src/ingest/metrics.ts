import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** The ingest workers' metrics (one set per registry, labelled by consumer group). */
export function ingestMetrics(registry: Registry) {
  return {
    rows: once(registry, 'dcmms_ingest_rows_total', () => new Counter({ name: 'dcmms_ingest_rows_total', help: 'Telemetry rows accepted by the store', labelNames: ['group'], registers: [registry] })),
    messages: once(registry, 'dcmms_ingest_messages_total', () => new Counter({ name: 'dcmms_ingest_messages_total', help: 'Kafka records applied', labelNames: ['group', 'topic'], registers: [registry] })),
    invalid: once(registry, 'dcmms_ingest_invalid_total', () => new Counter({ name: 'dcmms_ingest_invalid_total', help: 'Records sent to telemetry.invalid, by reason code', labelNames: ['group', 'code'], registers: [registry] })),
    retries: once(registry, 'dcmms_ingest_retries_total', () => new Counter({ name: 'dcmms_ingest_retries_total', help: 'Failed store/sink writes that will be retried', labelNames: ['group'], registers: [registry] })),
    lag: once(registry, 'dcmms_ingest_consumer_lag', () => new Gauge({ name: 'dcmms_ingest_consumer_lag', help: 'Records behind the high watermark after the last batch', labelNames: ['group', 'topic', 'partition'], registers: [registry] })),
    flushSeconds: once(
      registry,
      'dcmms_ingest_flush_seconds',
      () => new Histogram({ name: 'dcmms_ingest_flush_seconds', help: 'Time to apply one group of records', labelNames: ['group'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    ),
  };
}
