/**
 * What the rest of the cloud knows of the event log. Only ./client.ts imports kafkajs
 * (unmaintained, kafkajs#1603): replacing the client is a change to that one file.
 */
export interface OutRecord {
  readonly topic: string;
  /** The site id on every product topic: one site's records stay in one partition, in order. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface InRecord {
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Broker or producer timestamp, epoch ms. */
  readonly timestamp: number;
}

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly InRecord[];
  /** Records behind the high watermark after this batch. */
  readonly lag: number;
  /** False once a rebalance or shutdown took the partition away: stop retrying, commit nothing. */
  isActive(): boolean;
  /** Keeps the group membership alive during a long handler (a store outage). */
  heartbeat(): Promise<void>;
}

export interface LogProducer {
  /** Resolves once every record is acknowledged by all in-sync replicas (acks=all). */
  send(records: readonly OutRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts: true = oldest retained record (nothing lost). */
  readonly fromBeginning: boolean;
  /** Partitions handled at the same time by one consumer. */
  readonly concurrency?: number;
  readonly maxBytesPerPartition?: number;
  readonly sessionTimeoutMs?: number;
}

/**
 * Called with one partition's records; offsets are committed after it resolves. When it
 * throws, nothing is committed and the records come again.
 */
export type BatchHandler = (batch: PartitionBatch) => Promise<void>;

export interface LogConsumer {
  run(handler: BatchHandler): Promise<void>;
  /** Resolves once the group assigned this member its partitions (or none) for the first time. */
  joined(): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
}

export interface EventLog {
  producer(options?: { readonly maxRetryTimeMs?: number }): Promise<LogProducer>;
  consumer(options: ConsumerOptions): LogConsumer;
  /** Topics that do not exist among `topics`. */
  missingTopics(topics: readonly string[]): Promise<string[]>;
  createTopics(specs: readonly TopicSpec[], replicationFactor?: number): Promise<void>;
  /**
   * Commits, for a group with no members, the current end of every partition of `topics`:
   * the group then reads only what is produced from now on (tests, a replayed environment).
   */
  setGroupOffsetsToEnd(groupId: string, topics: readonly string[]): Promise<void>;
  /** Sum over partitions of (end offset - committed offset) for a group. */
  groupLag(groupId: string, topic: string): Promise<number>;
  close(): Promise<void>;
}
