import { KAFKA_TOPICS, type UplinkChannel } from '@dcmms/shared';
import type { OutRecord, InRecord } from '../kafka/types.js';
import type { AcceptedUplink, DeadLetter } from './messages.js';

/** Kafka headers the gateway sets (the key is always the site id). */
export const HEADERS = Object.freeze({
  channel: 'dcmms-channel',
  receivedAt: 'dcmms-received-at',
  code: 'dcmms-error-code',
  reason: 'dcmms-error-reason',
  topic: 'dcmms-mqtt-topic',
  clientId: 'dcmms-client-id',
  size: 'dcmms-size',
});

export const TOPIC_OF_CHANNEL: Readonly<Record<UplinkChannel, string>> = Object.freeze({
  telemetry: KAFKA_TOPICS.telemetryRaw,
  alerts: KAFKA_TOPICS.alertsEdge,
  status: KAFKA_TOPICS.edgeStatus,
  results: KAFKA_TOPICS.edgeResults,
});

const CHANNEL_OF_TOPIC: Readonly<Record<string, UplinkChannel>> = Object.freeze(
  Object.fromEntries(Object.entries(TOPIC_OF_CHANNEL).map(([channel, topic]) => [topic, channel as UplinkChannel])),
);

export function channelOfTopic(topic: string): UplinkChannel | null {
  return CHANNEL_OF_TOPIC[topic] ?? null;
}

export function acceptedRecord(m: AcceptedUplink): OutRecord {
  return {
    topic: TOPIC_OF_CHANNEL[m.channel],
    key: m.site,
    value: m.payload,
    headers: { [HEADERS.channel]: m.channel, [HEADERS.receivedAt]: String(m.receivedAt) },
  };
}

// Header values are strings on the wire; reasons are bounded so a header never dwarfs the record.
const clip = (s: string, n = 1024) => (s.length > n ? `${s.slice(0, n)}...` : s);

export function deadLetterRecord(d: DeadLetter): OutRecord {
  return {
    topic: KAFKA_TOPICS.telemetryInvalid,
    key: d.site ?? '',
    value: d.payload,
    headers: {
      [HEADERS.code]: d.code,
      [HEADERS.reason]: clip(d.reason),
      [HEADERS.receivedAt]: String(d.receivedAt),
      [HEADERS.size]: String(d.size),
      ...(d.topic !== null ? { [HEADERS.topic]: clip(d.topic, 256) } : {}),
      ...(d.clientId !== null ? { [HEADERS.clientId]: clip(d.clientId, 256) } : {}),
    },
  };
}

/** What a worker needs from a record before decoding it; the receive time falls back to the record's. */
export function envelopeOf(record: InRecord): { site: string | null; receivedAt: number } {
  const at = Number(record.headers[HEADERS.receivedAt]);
  return { site: record.key, receivedAt: Number.isSafeInteger(at) && at > 0 ? at : record.timestamp };
}
