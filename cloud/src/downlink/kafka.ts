import { randomUUID } from 'node:crypto';
import { DOWNLINK_CHANNELS, KAFKA_TOPICS, describeError, siteIdSchema, silentLogger, type DownlinkChannel, type Logger } from '@dcmms/shared';
import type { EventLog, LogConsumer, LogProducer } from '../kafka/types.js';
import type { DownlinkPublisher } from '../ports/downlink.js';
import { DownlinkError } from './errors.js';

const H_CHANNEL = 'dcmms-channel';
const H_RETAIN = 'dcmms-retain';

/**
 * With several gateway replicas the API does not know which one holds a site's connection,
 * so a downlink goes through Kafka (`edge.downlink`, key = site) and every gateway relays it
 * into its own broker (createDownlinkRelay).
 */
export function createKafkaDownlink(producer: LogProducer): DownlinkPublisher {
  return {
    async publish(site, channel, payload, options = {}) {
      if (!siteIdSchema.safeParse(site).success) throw new DownlinkError('DCMMS_DOWNLINK_INVALID', `not a site id: ${JSON.stringify(site)}`);
      try {
        await producer.send([{ topic: KAFKA_TOPICS.edgeDownlink, key: site, value: payload, headers: { [H_CHANNEL]: channel, [H_RETAIN]: options.retain ? '1' : '0' } }]);
      } catch (err) {
        throw new DownlinkError('DCMMS_DOWNLINK_UNAVAILABLE', `downlink not produced: ${describeError(err)}`, { cause: err });
      }
    },
  };
}

export interface DownlinkRelayOptions {
  readonly eventLog: EventLog;
  /** The gateway's own broker. */
  readonly local: DownlinkPublisher;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * One per gateway replica, in a consumer group of its own so every replica sees every
 * downlink. It reads the topic from the beginning: retained messages (config) rebuild the
 * broker's retained state, while non-retained ones older than the relay's start are skipped
 * (commands carry an expiry and the edge refuses stale ones anyway).
 */
export function createDownlinkRelay(options: DownlinkRelayOptions): { start(): Promise<void>; stop(): Promise<void> } {
  const log = (options.logger ?? silentLogger).child({ component: 'downlink-relay' });
  const startedAt = (options.now ?? Date.now)();
  let consumer: LogConsumer | null = null;
  return {
    async start() {
      consumer = options.eventLog.consumer({ groupId: `dcmms-gateway-downlink-${randomUUID()}`, topics: [KAFKA_TOPICS.edgeDownlink], fromBeginning: true, concurrency: 1 });
      const c = consumer;
      void c
        .run(async (batch) => {
          for (const r of batch.records) {
            const channel = r.headers[H_CHANNEL] as DownlinkChannel | undefined;
            const retain = r.headers[H_RETAIN] === '1';
            if (!r.key || !channel || !(DOWNLINK_CHANNELS as readonly string[]).includes(channel) || !r.value) {
              log.warn({ offset: r.offset }, 'malformed downlink record skipped');
              continue;
            }
            if (!retain && r.timestamp < startedAt) continue;
            await options.local.publish(r.key, channel, r.value, { retain });
          }
        })
        .catch((err: unknown) => log.error({ err: describeError(err) }, 'downlink relay stopped'));
      await c.joined();
    },
    async stop() {
      await consumer?.close();
    },
  };
}
