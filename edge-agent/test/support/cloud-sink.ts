import { alertEventSchema, decodeTelemetryMessage, parseMqttTopic } from '@dcmms/shared';
import type { AlertEvent, GapRecord, Reading, SiteStatus, Stream } from '@dcmms/shared';
import { keyOf } from './readings.js';

export interface ReceivedBatch {
  readonly seq: number;
  readonly stream: Stream;
  readonly createdAt: number;
  readonly receivedAt: number;
  readonly readings: readonly Reading[];
}

/**
 * What "the cloud" got from the edge, decoded the way the gateway does: telemetry with the
 * shared codec, alerts/status/results as JSON. Duplicates are kept (`batches` is every
 * message), so tests can count them and dedup by seq as the sink does.
 */
export class CloudSink {
  readonly batches: ReceivedBatch[] = [];
  readonly gaps: GapRecord[] = [];
  readonly alerts: AlertEvent[] = [];
  readonly statuses: SiteStatus[] = [];
  readonly results: Record<string, unknown>[] = [];
  readonly errors: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  accept(topic: string, payload: Buffer): void {
    const t = parseMqttTopic(topic);
    if (t === null || t.direction !== 'up') return;
    try {
      switch (t.channel) {
        case 'telemetry': {
          const m = decodeTelemetryMessage(payload);
          if (m.kind === 'gap') this.gaps.push(m.gap);
          else this.batches.push({ seq: m.batch.seq, stream: m.batch.stream, createdAt: m.batch.createdAt, receivedAt: this.now(), readings: m.batch.readings });
          return;
        }
        case 'alerts': {
          const json: unknown = JSON.parse(payload.toString('utf8'));
          for (const e of Array.isArray(json) ? json : [json]) this.alerts.push(alertEventSchema.parse(e));
          return;
        }
        case 'status':
          this.statuses.push(JSON.parse(payload.toString('utf8')) as SiteStatus);
          return;
        case 'results':
          this.results.push(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
          return;
      }
    } catch (err) {
      this.errors.push(`${topic}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Batches deduplicated by seq (what an idempotent sink keeps). */
  uniqueBatches(): ReceivedBatch[] {
    const bySeq = new Map<number, ReceivedBatch>();
    for (const b of this.batches) if (!bySeq.has(b.seq)) bySeq.set(b.seq, b);
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Every (tag, ts) received, after dedup by seq; throws if one appears in two batches. */
  readingKeys(): Set<string> {
    const keys = new Set<string>();
    for (const b of this.uniqueBatches()) {
      for (const r of b.readings) {
        const k = keyOf(r);
        if (keys.has(k)) throw new Error(`reading ${k} received in two different batches`);
        keys.add(k);
      }
    }
    return keys;
  }

  duplicateBatches(): number {
    return this.batches.length - this.uniqueBatches().length;
  }
}
