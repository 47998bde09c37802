import { siteIdSchema } from './ids.js';

/**
 * MQTT topics: `dcmms/v1/{site}/{channel}`. A site publishes only its uplink channels and
 * subscribes only its downlink channels; the gateway's ACL is built from these lists.
 */
export const MQTT_TOPIC_PREFIX = 'dcmms/v1';

export const UPLINK_CHANNELS = ['telemetry', 'alerts', 'status', 'results'] as const;
export const DOWNLINK_CHANNELS = ['config', 'commands', 'alert-actions'] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];
export type DownlinkChannel = (typeof DOWNLINK_CHANNELS)[number];
export type Channel = UplinkChannel | DownlinkChannel;

export function mqttTopic(site: string, channel: Channel): string {
  return `${MQTT_TOPIC_PREFIX}/${site}/${channel}`;
}

export interface ParsedTopic {
  readonly site: string;
  readonly channel: Channel;
  readonly direction: 'up' | 'down';
}

/** `null` for anything that is not exactly one of our topics (wildcards included). */
export function parseMqttTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== MQTT_TOPIC_PREFIX) return null;
  const site = parts[2] ?? '';
  const channel = parts[3] ?? '';
  if (!siteIdSchema.safeParse(site).success) return null;
  if ((UPLINK_CHANNELS as readonly string[]).includes(channel)) return { site, channel: channel as UplinkChannel, direction: 'up' };
  if ((DOWNLINK_CHANNELS as readonly string[]).includes(channel)) return { site, channel: channel as DownlinkChannel, direction: 'down' };
  return null;
}

/** Kafka topics between the gateway and the workers (key = site id on every one). */
export const KAFKA_TOPICS = Object.freeze({
  telemetryRaw: 'telemetry.raw',
  telemetryInvalid: 'telemetry.invalid',
  alertsEdge: 'alerts.edge',
  edgeStatus: 'edge.status',
  edgeResults: 'edge.results',
  /** Downlink (config, commands, alert actions) to every gateway replica, which relays it to its connected site. */
  edgeDownlink: 'edge.downlink',
});
