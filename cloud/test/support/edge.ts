import mqtt, { type MqttClient } from 'mqtt';
import { encodeGapRecord, encodeTelemetryBatch, mqttTopic, type GapRecord, type TelemetryBatch, type UplinkChannel } from '@dcmms/shared';

export interface ScriptedEdgeOptions {
  readonly url: string;
  readonly site: string;
  readonly secret: string;
  readonly clientId?: string;
  readonly ca?: string | Buffer;
  readonly reconnectPeriodMs?: number;
  readonly keepaliveSeconds?: number;
}

/**
 * Stands in for the edge agent's uplink: site credential, shared codec, QoS 1, and a batch
 * counts as sent only on its PUBACK (mqtt.js resends un-acknowledged packets after a reconnect).
 */
export async function connectEdge(options: ScriptedEdgeOptions): Promise<ScriptedEdge> {
  const client = await mqtt.connectAsync(options.url, {
    username: options.site,
    password: options.secret,
    clientId: options.clientId ?? options.site,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: options.reconnectPeriodMs ?? 500,
    connectTimeout: 5000,
    keepalive: options.keepaliveSeconds ?? 30,
    ...(options.ca ? { ca: options.ca, rejectUnauthorized: true } : {}),
  });
  return new ScriptedEdge(client, options.site);
}

export class ScriptedEdge {
  constructor(
    readonly client: MqttClient,
    readonly site: string,
  ) {}

  publishRaw(channel: UplinkChannel | string, payload: Buffer | string, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<unknown> {
    const topic = channel.includes('/') ? channel : mqttTopic(this.site, channel as UplinkChannel);
    return this.client.publishAsync(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false });
  }

  /** Publishes with at most `window` un-acknowledged at a time; resolves when every one is acknowledged. */
  async publishBatches(batches: readonly TelemetryBatch[], window = 32, onAcked?: (batch: TelemetryBatch) => void): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        await this.publishRaw('telemetry', encodeTelemetryBatch(b));
        onAcked?.(b);
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, batches.length) }, lane));
  }

  publishGap(gap: GapRecord): Promise<unknown> {
    return this.publishRaw('telemetry', encodeGapRecord(gap));
  }

  publishJson(channel: UplinkChannel, body: unknown, opts: { retain?: boolean } = {}): Promise<unknown> {
    return this.publishRaw(channel, JSON.stringify(body), opts);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
