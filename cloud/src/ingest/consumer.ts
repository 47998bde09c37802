import { describeError, isDcmmsError, silentLogger, type Logger } from '@dcmms/shared';
import type { Registry } from 'prom-client';
import type { EventLog, InRecord, LogConsumer, LogProducer } from '../kafka/types.js';
import { refusalReason, type UplinkApplier } from './applier.js';
import type { BackoffOptions } from './backoff.js';
import { createGroupFlusher } from './flusher.js';
import type { AcceptedUplink, DeadLetter } from './messages.js';
import { ingestMetrics } from './metrics.js';
import { channelOfTopic, deadLetterRecord, envelopeOf } from './records.js';
import { decodeUplink, type Uplink } from './uplink.js';

export interface IngestConsumerOptions {
  readonly eventLog: EventLog;
  /** Where dead letters go (telemetry.invalid); must succeed before offsets are committed. */
  readonly producer: LogProducer;
  readonly applier: UplinkApplier;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly fromBeginning?: boolean;
  /** Partitions handled at the same time (their records are written together). */
  readonly concurrency?: number;
  /** Readings per store write, roughly. */
  readonly maxRowsPerFlush?: number;
  /** How long the group waits for a silent member (a killed worker) before handing its partitions on. */
  readonly sessionTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly metrics?: Registry;
  readonly logger?: Logger;
}

type Item = { readonly accepted: AcceptedUplink } | { readonly deadLetter: DeadLetter };

const weightOf = (u: Uplink) => (u.kind === 'batch' ? u.batch.readings.length + 1 : 1);

/** A Kafka record back into the message the gateway accepted, or a dead letter saying why not. */
export function decodeRecord(topic: string, record: InRecord): Item {
  const { site, receivedAt } = envelopeOf(record);
  const channel = channelOfTopic(topic);
  const payload = record.value ?? Buffer.alloc(0);
  const dead = (code: string, reason: string): Item => ({
    deadLetter: { site, topic: null, clientId: null, code, reason: `${topic}@${record.offset}: ${reason}`, payload, size: payload.length, receivedAt },
  });
  if (channel === null) return dead('DCMMS_UPLINK_INVALID', 'not an uplink topic');
  if (site === null || site === '') return dead('DCMMS_UPLINK_INVALID', 'record has no site key');
  try {
    return { accepted: { site, channel, payload, receivedAt, uplink: decodeUplink(channel, site, payload) } };
  } catch (err) {
    return dead(isDcmmsError(err) ? err.code : 'DCMMS_UPLINK_UNDECODABLE', describeError(err));
  }
}

export interface IngestConsumer {
  /** Connects, joins the group and starts consuming; resolves once the group assigned partitions. */
  start(): Promise<void>;
  /** Graceful: stops fetching, abandons (does not commit) what is unfinished, leaves the group. */
  stop(): Promise<void>;
}

/**
 * A consumer group that applies uplink records through the applier: telemetry workers on
 * telemetry.raw (QuestDB + ledger), edge-event workers on alerts.edge/edge.status/edge.results
 * (the registry's sinks). Offsets are committed only after the applier resolved; an
 * undecodable record goes to telemetry.invalid with its reason, then the group moves on.
 */
export function createIngestConsumer(options: IngestConsumerOptions): IngestConsumer {
  const log = (options.logger ?? silentLogger).child({ component: 'ingest-consumer', group: options.groupId });
  const m = options.metrics ? ingestMetrics(options.metrics) : null;
  const group = options.groupId;
  let consumer: LogConsumer | null = null;

  const flusher = createGroupFlusher<Item>({
    maxWeight: options.maxRowsPerFlush ?? 200_000,
    weight: (i) => ('accepted' in i ? weightOf(i.accepted.uplink) : 1),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    logger: log,
    onRetry: () => m?.retries.inc({ group }),
    async flush(items) {
      const end = m?.flushSeconds.startTimer({ group });
      const accepted = items.flatMap((i) => ('accepted' in i ? [i.accepted] : []));
      const letters = items.flatMap((i) => ('deadLetter' in i ? [i.deadLetter] : []));
      const result = await options.applier.apply(accepted);
      for (const { item, error } of result.refused) {
        const { code, reason } = refusalReason(error);
        letters.push({ site: item.site, topic: null, clientId: null, code, reason, payload: item.payload, size: item.payload.length, receivedAt: item.receivedAt });
      }
      if (letters.length > 0) {
        await options.producer.send(letters.map(deadLetterRecord));
        for (const d of letters) {
          m?.invalid.inc({ group, code: d.code });
          log.warn({ site: d.site, code: d.code, reason: d.reason, bytes: d.size }, 'record sent to telemetry.invalid');
        }
      }
      m?.rows.inc({ group }, result.rows);
      end?.();
    },
  });

  return {
    async start() {
      consumer = options.eventLog.consumer({
        groupId: options.groupId,
        topics: options.topics,
        fromBeginning: options.fromBeginning ?? true,
        concurrency: options.concurrency ?? 6,
        ...(options.sessionTimeoutMs ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
      });
      const c = consumer;
      void c
        .run(async (batch) => {
          const items = batch.records.map((r) => decodeRecord(batch.topic, r));
          const flushed = await flusher.submit({ items, isActive: batch.isActive, heartbeat: batch.heartbeat });
          if (!flushed) return;
          m?.messages.inc({ group, topic: batch.topic }, items.length);
          m?.lag.set({ group, topic: batch.topic, partition: String(batch.partition) }, batch.lag);
        })
        .catch((err: unknown) => log.error({ err: describeError(err) }, 'consumer stopped'));
      await c.joined();
      log.info({ topics: options.topics }, 'consuming');
    },
    async stop() {
      flusher.stop();
      await consumer?.close();
    },
  };
}
