import { describeError, silentLogger, type Logger } from '@dcmms/shared';
import { DEFAULT_BACKOFF, backoffDelay, pause, type BackoffOptions } from '../ingest/backoff.js';
import type { IntakeItem, IntakeSink } from '../ingest/messages.js';

/** The connection an entry came from, so the pipeline can stop reading it. */
export interface FlowOwner {
  pauseReading(reason: string): void;
  resumeReading(reason: string): void;
}

export interface PipelineEntry {
  readonly item: IntakeItem;
  readonly bytes: number;
  readonly owner: FlowOwner | null;
  /** Called once: without an error after the sink kept the item (the PUBACK goes out then), with one if it never will. */
  readonly done: (err?: Error) => void;
}

export interface PipelineOptions {
  readonly sink: IntakeSink;
  /** Items and bytes handed to the sink in one call (Kafka: one produce request; keep under its max message size). */
  readonly maxBatchItems: number;
  readonly maxBatchBytes: number;
  /** Bytes accepted but not yet delivered, over all clients: above it every socket stops being read. */
  readonly maxInflightBytes: number;
  /** Messages in flight per connection: above it that connection stops being read. */
  readonly maxInflightPerClient: number;
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
  /** True when the global budget is exhausted (every connection must pause), false when it has room again. */
  readonly onPressure?: (overBudget: boolean) => void;
  readonly onDelivered?: (items: number, seconds: number) => void;
  readonly onRetry?: (err: unknown) => void;
  /** How long close() waits for the delivery in flight. */
  readonly closeTimeoutMs?: number;
}

export interface Pipeline {
  enqueue(entry: PipelineEntry): void;
  readonly inflightBytes: number;
  readonly peakInflightBytes: number;
  readonly queued: number;
  /** True while the global budget is spent (every socket paused). */
  readonly overBudget: boolean;
  /** Stops retrying; undelivered entries fail (their clients get no PUBACK and send again elsewhere). */
  close(): Promise<void>;
}

/**
 * Hands accepted messages to the sink in arrival order, one delivery at a time, and calls
 * each entry's `done` (which lets aedes send the PUBACK) only after the sink resolved. One
 * delivery in flight keeps every site's order (aedes may authorize several publishes of one
 * client concurrently, but they are enqueued synchronously in packet order) and a failed
 * delivery is retried with the same entries until it succeeds, so nothing is reordered or
 * skipped. Memory is bounded by pausing sockets, never by dropping.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const log = options.logger ?? silentLogger;
  const queue: PipelineEntry[] = [];
  const perOwner = new Map<FlowOwner, number>();
  const stopper = new AbortController();
  let inflightBytes = 0;
  let peak = 0;
  let overBudget = false;
  let running: Promise<void> | null = null;

  const lowWater = Math.floor(options.maxInflightBytes * 0.75);
  const ownerLow = Math.max(1, Math.floor(options.maxInflightPerClient / 2));

  function account(entry: PipelineEntry, sign: 1 | -1): void {
    inflightBytes += sign * entry.bytes;
    peak = Math.max(peak, inflightBytes);
    if (!overBudget && inflightBytes > options.maxInflightBytes) {
      overBudget = true;
      options.onPressure?.(true);
    } else if (overBudget && inflightBytes <= lowWater) {
      overBudget = false;
      options.onPressure?.(false);
    }
    const owner = entry.owner;
    if (!owner) return;
    const n = (perOwner.get(owner) ?? 0) + sign;
    if (n <= 0) perOwner.delete(owner);
    else perOwner.set(owner, n);
    if (sign > 0 && n >= options.maxInflightPerClient) owner.pauseReading('client-inflight');
    if (sign < 0 && n <= ownerLow) owner.resumeReading('client-inflight');
  }

  async function deliver(batch: PipelineEntry[]): Promise<boolean> {
    for (let attempt = 0; !stopper.signal.aborted; attempt++) {
      const t0 = performance.now();
      try {
        await options.sink.deliver(batch.map((e) => e.item));
        options.onDelivered?.(batch.length, (performance.now() - t0) / 1000);
        return true;
      } catch (err) {
        options.onRetry?.(err);
        const delay = backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF);
        log.warn({ err: describeError(err), attempt, delayMs: delay, messages: batch.length }, 'intake delivery failed; PUBACKs held, retrying');
        await pause(delay, stopper.signal);
      }
    }
    return false;
  }

  async function loop(): Promise<void> {
    while (queue.length > 0) {
      const batch: PipelineEntry[] = [];
      let bytes = 0;
      while (queue.length > 0 && batch.length < options.maxBatchItems && (batch.length === 0 || bytes + queue[0]!.bytes <= options.maxBatchBytes)) {
        const e = queue.shift()!;
        batch.push(e);
        bytes += e.bytes;
      }
      const ok = await deliver(batch);
      for (const e of batch) {
        account(e, -1);
        if (ok) e.done();
        else e.done(new Error('gateway shutting down before the message was kept'));
      }
    }
  }

  function kick(): void {
    if (running || queue.length === 0 || stopper.signal.aborted) return;
    running = loop().finally(() => {
      running = null;
      // Entries that arrived while the last delivery was settling.
      kick();
    });
  }

  return {
    enqueue(entry) {
      if (stopper.signal.aborted) {
        entry.done(new Error('gateway is shutting down'));
        return;
      }
      queue.push(entry);
      account(entry, 1);
      kick();
    },
    get inflightBytes() {
      return inflightBytes;
    },
    get peakInflightBytes() {
      return peak;
    },
    get queued() {
      return queue.length;
    },
    get overBudget() {
      return overBudget;
    },
    async close() {
      stopper.abort();
      // A delivery that hangs (a broker that never answers) must not hang the shutdown.
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, options.closeTimeoutMs ?? 10_000).unref())]);
      for (const e of queue.splice(0)) {
        account(e, -1);
        e.done(new Error('gateway is shutting down'));
      }
    },
  };
}
