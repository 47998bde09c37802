import type { Reading } from '@dcmms/shared';

/**
 * The one interface every protocol adapter implements (Modbus TCP, Modbus RTU, OPC-UA), and
 * the only thing the edge agent knows of them.
 */

export type DeviceConnectionState = 'connecting' | 'connected' | 'disconnected' | 'failed';

export interface DeviceStateEvent {
  readonly device: string;
  readonly state: DeviceConnectionState;
  readonly ts: number;
  /** Why it changed: `ECONNREFUSED`, `timeout`, `BadSessionIdInvalid`... */
  readonly reason?: string;
}

/**
 * Where an adapter delivers what it produces. Called synchronously from the adapter's I/O
 * callbacks, so it must be quick and must not throw (the edge agent hands readings to its
 * buffer and alarm engine, both synchronous).
 */
export interface AdapterSink {
  /** Readings of one device, typically all tags of one request or one notification. */
  readings(device: string, readings: readonly Reading[]): void;
  state(event: DeviceStateEvent): void;
}

/** Monotonic counters for metrics (the agent turns them into Prometheus counters). */
export interface AdapterCounters {
  readonly requests: number;
  readonly responses: number;
  readonly timeouts: number;
  /** Exception responses (Modbus) or bad status codes (OPC-UA). */
  readonly deviceErrors: number;
  /** Garbage, wrong length, wrong transaction id. */
  readonly malformed: number;
  readonly reconnects: number;
  /** Poll cycles skipped because the previous one had not finished (never queued up). */
  readonly missedCycles: number;
  readonly readings: number;
  /** Sum and count of request round-trip times, ms, for a latency average; histograms live in the agent. */
  readonly latencyMsSum: number;
  readonly latencyCount: number;
}

export interface DeviceAdapter {
  readonly device: string;
  /** Begins connecting and polling or subscribing; resolves once started, not once connected. */
  start(sink: AdapterSink): Promise<void>;
  /** Stops polling and subscriptions and closes connections; idempotent. */
  stop(): Promise<void>;
  state(): DeviceConnectionState;
  counters(): AdapterCounters;
  /** One read of every tag now, outside the schedule (the CLI's `read`). */
  readOnce(): Promise<Reading[]>;
  /** Writes one tag; refuses tags the device config does not mark writable. */
  write(tag: string, value: number | boolean): Promise<void>;
}
