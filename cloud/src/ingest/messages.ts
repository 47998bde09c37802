import type { UplinkChannel } from '@dcmms/shared';
import type { Uplink } from './uplink.js';

/** One message the gateway accepted: the original bytes plus what they decoded to. */
export interface AcceptedUplink {
  readonly site: string;
  readonly channel: UplinkChannel;
  /** The bytes as the edge sent them: what goes to Kafka, never re-encoded. */
  readonly payload: Buffer;
  /** When the gateway received it, epoch ms (the rows' `received_at`). */
  readonly receivedAt: number;
  readonly uplink: Uplink;
}

/** A refused message, kept for inspection (dead-letter topic or file) with why it was refused. */
export interface DeadLetter {
  /** The sending site when known (authenticated), else null. */
  readonly site: string | null;
  readonly topic: string | null;
  readonly clientId: string | null;
  readonly code: string;
  readonly reason: string;
  /** The bytes, truncated to the dead-letter limit when larger (see `size`). */
  readonly payload: Buffer;
  /** The original size in bytes. */
  readonly size: number;
  readonly receivedAt: number;
}

export type IntakeItem = { readonly accepted: AcceptedUplink } | { readonly deadLetter: DeadLetter };

/** Where the gateway hands what it accepted: Kafka in production, the stores in-process when embedded. */
export interface IntakeSink {
  /** Resolves once every item is durably kept; only then are the PUBACKs sent. */
  deliver(items: readonly IntakeItem[]): Promise<void>;
  close(): Promise<void>;
}

/** Where dead letters are kept when there is no Kafka (embedded) and by tests. */
export interface DeadLetterStore {
  put(letters: readonly DeadLetter[]): Promise<void>;
}
