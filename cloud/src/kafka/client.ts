import { Kafka, Partitioners, logLevel, type Consumer, type IHeaders, type LogEntry } from 'kafkajs';
import { describeError, silentLogger, type Logger } from '@dcmms/shared';
import type { BatchHandler, ConsumerOptions, EventLog, InRecord, LogConsumer, LogProducer, OutRecord, TopicSpec } from './types.js';

export interface EventLogOptions {
  /** `host:port` list. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger?: Logger;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function headersOf(raw: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** The event log over kafkajs. The only file of the product that imports it. */
export function createEventLog(options: EventLogOptions): EventLog {
  const log = (options.logger ?? silentLogger).child({ component: 'kafka' });
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // kafkajs retries inside one call; the callers retry the call itself with their own backoff.
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? 'info']({ kafka: rest }, message);
      },
  });
  const admin = kafka.admin();
  let adminConnected: Promise<void> | undefined;
  const withAdmin = async () => {
    adminConnected ??= admin.connect().catch((err: unknown) => {
      adminConnected = undefined;
      throw err;
    });
    await adminConnected;
    return admin;
  };

  return {
    async producer(producerOptions = {}): Promise<LogProducer> {
      // Not kafkajs's idempotent mode (experimental there): one send in flight at a time keeps
      // order, and the sinks are idempotent, so a retried send costs a duplicate, never a loss.
      const producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 5, initialRetryTime: 200, maxRetryTime: producerOptions.maxRetryTimeMs ?? 3000 },
      });
      await producer.connect();
      return {
        async send(records: readonly OutRecord[]) {
          if (records.length === 0) return;
          const byTopic = new Map<string, { key: string; value: Buffer; headers?: Record<string, string> }[]>();
          for (const r of records) {
            let list = byTopic.get(r.topic);
            if (!list) byTopic.set(r.topic, (list = []));
            list.push({ key: r.key, value: r.value, ...(r.headers ? { headers: { ...r.headers } } : {}) });
          }
          await producer.sendBatch({ acks: -1, timeout: 30_000, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        },
        close: () => producer.disconnect(),
      };
    },

    consumer(consumerOptions: ConsumerOptions): LogConsumer {
      const consumer: Consumer = kafka.consumer({
        groupId: consumerOptions.groupId,
        sessionTimeout: consumerOptions.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: 3000,
        maxBytesPerPartition: consumerOptions.maxBytesPerPartition ?? 4 * 1024 * 1024,
        maxWaitTimeInMs: 250,
        allowAutoTopicCreation: false,
        retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5000 },
      });
      let stopping = false;
      let resolveJoined!: () => void;
      const joined = new Promise<void>((resolve) => (resolveJoined = resolve));
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        log.info({ groupId: consumerOptions.groupId, assignment: e.payload.memberAssignment }, 'joined consumer group');
        resolveJoined();
      });
      consumer.on(consumer.events.CRASH, (e) => {
        log.error({ groupId: consumerOptions.groupId, err: describeError(e.payload.error), restart: e.payload.restart }, 'consumer crashed');
      });

      return {
        async run(handler: BatchHandler) {
          await consumer.connect();
          for (const topic of consumerOptions.topics) await consumer.subscribe({ topic, fromBeginning: consumerOptions.fromBeginning });
          await consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: consumerOptions.concurrency ?? 1,
            eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
              if (batch.messages.length === 0) return;
              const records: InRecord[] = batch.messages.map((m) => ({
                offset: m.offset,
                key: m.key ? m.key.toString('utf8') : null,
                value: m.value,
                headers: headersOf(m.headers),
                timestamp: Number(m.timestamp),
              }));
              const last = batch.messages[batch.messages.length - 1]!.offset;
              const isActive = () => !stopping && isRunning() && !isStale();
              await handler({
                topic: batch.topic,
                partition: batch.partition,
                records,
                lag: Math.max(0, Number(batch.highWatermark) - Number(last) - 1),
                isActive,
                heartbeat,
              });
              // Abandoned (shutdown, rebalance): commit nothing, the next owner reads these again.
              if (!isActive()) return;
              resolveOffset(last);
              try {
                await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
              } catch (err) {
                // The partition moved (rebalance) or the broker is away: its next owner reads these
                // records again, and every sink is idempotent, so a failed commit costs a replay only.
                log.warn({ topic: batch.topic, partition: batch.partition, err: describeError(err) }, 'offset commit failed; records will be replayed');
              }
            },
          });
        },
        joined: () => joined,
        async close() {
          stopping = true;
          await consumer.disconnect();
        },
      };
    },

    async missingTopics(topics) {
      const a = await withAdmin();
      const existing = new Set(await a.listTopics());
      return topics.filter((t) => !existing.has(t));
    },

    async createTopics(specs: readonly TopicSpec[], replicationFactor = 1) {
      const a = await withAdmin();
      await a.createTopics({
        waitForLeaders: true,
        topics: specs.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor })),
      });
    },

    async setGroupOffsetsToEnd(groupId, topics) {
      const a = await withAdmin();
      for (const topic of topics) {
        const ends = await a.fetchTopicOffsets(topic);
        await a.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
      }
    },

    async groupLag(groupId, topic) {
      const a = await withAdmin();
      const [ends, committed] = await Promise.all([a.fetchTopicOffsets(topic), a.fetchOffsets({ groupId, topics: [topic] })]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      let lag = 0;
      for (const p of ends) {
        const c = done.get(p.partition) ?? -1;
        lag += Number(p.high) - (c < 0 ? Number(p.low) : c);
      }
      return lag;
    },

    async close() {
      if (adminConnected) await admin.disconnect().catch(() => undefined);
    },
  };
}
