import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ApiMetrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly authFailures: Counter<'reason'>;
  readonly loginFailures: Counter;
  readonly downlinkFailures: Counter<'channel'>;
  readonly streamClients: Gauge;
  readonly streamEvents: Counter<'type'>;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  return {
    registry,
    requestDuration: new Histogram({
      name: 'dcmms_api_request_duration_seconds',
      help: 'API request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    authFailures: new Counter({ name: 'dcmms_api_auth_failures_total', help: 'Requests refused for missing or bad credentials, or missing permission', labelNames: ['reason'], registers: [registry] }),
    loginFailures: new Counter({ name: 'dcmms_api_login_failures_total', help: 'Failed login attempts', registers: [registry] }),
    downlinkFailures: new Counter({ name: 'dcmms_api_downlink_failures_total', help: 'Messages stored but not delivered to the edge', labelNames: ['channel'], registers: [registry] }),
    streamClients: new Gauge({ name: 'dcmms_api_stream_clients', help: 'Open live-stream (SSE) connections', registers: [registry] }),
    streamEvents: new Counter({ name: 'dcmms_api_stream_events_total', help: 'Events sent on live streams', labelNames: ['type'], registers: [registry] }),
  };
}
