import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's metrics, on the registry the caller owns. */
export function gatewayMetrics(registry: Registry) {
  return {
    accepted: new Counter({ name: 'dcmms_gateway_messages_accepted_total', help: 'Uplink messages kept (PUBACK sent after)', labelNames: ['channel'], registers: [registry] }),
    rejected: new Counter({ name: 'dcmms_gateway_messages_rejected_total', help: 'Messages refused and dead-lettered, by reason code', labelNames: ['code'], registers: [registry] }),
    authFailures: new Counter({ name: 'dcmms_gateway_auth_failures_total', help: 'Refused connections', labelNames: ['reason'], registers: [registry] }),
    subscribeDenied: new Counter({ name: 'dcmms_gateway_subscribe_denied_total', help: 'Refused subscriptions', registers: [registry] }),
    connections: new Gauge({ name: 'dcmms_gateway_connections', help: 'Authenticated MQTT connections', registers: [registry] }),
    inflightBytes: new Gauge({ name: 'dcmms_gateway_inflight_bytes', help: 'Bytes accepted and waiting for the intake (Kafka) to keep them', registers: [registry] }),
    paused: new Gauge({ name: 'dcmms_gateway_reading_paused', help: '1 while every socket is paused because the in-flight budget is spent', registers: [registry] }),
    retries: new Counter({ name: 'dcmms_gateway_intake_retries_total', help: 'Failed deliveries to the intake (retried, PUBACKs held)', registers: [registry] }),
    deliverSeconds: new Histogram({
      name: 'dcmms_gateway_intake_seconds',
      help: 'Time for the intake (Kafka acks=all) to keep one group of messages',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}
export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;
