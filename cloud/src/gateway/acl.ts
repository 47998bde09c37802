import { parseMqttTopic, type UplinkChannel } from '@dcmms/shared';

/**
 * The topic ACL, built from the shared channel lists: a site publishes only its own uplink
 * channels and subscribes only its own downlink channels, by exact topic (no wildcards, so
 * `$SYS/#`, `#` and `dcmms/v1/+/...` are all refused).
 */
export function uplinkChannelFor(site: string, topic: string): UplinkChannel | null {
  const t = parseMqttTopic(topic);
  return t !== null && t.site === site && t.direction === 'up' ? (t.channel as UplinkChannel) : null;
}

export function maySubscribe(site: string, topicFilter: string): boolean {
  const t = parseMqttTopic(topicFilter);
  return t !== null && t.site === site && t.direction === 'down';
}

/**
 * Client ids name sessions, and a new connection with a taken id disconnects its holder. So
 * that no site can reach another's session, the gateway keeps sessions under
 * `<site>|<client id>` ('|' never occurs in a site id): a site may pick any client id.
 */
export function sessionId(site: string, clientId: string): string {
  return `${site}|${clientId}`;
}
