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
 * A client id names a session; taking one over disconnects its holder, so a site may only use
 * its own id or `<site>:<suffix>` (':' never occurs in a site id, so no site can reach another's).
 */
export function clientIdAllowed(site: string, clientId: string): boolean {
  return clientId === site || (clientId.startsWith(`${site}:`) && clientId.length <= site.length + 65);
}
