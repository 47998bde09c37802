import mqtt from 'mqtt';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { DOWNLINK_CHANNELS, mqttTopic, parseMqttTopic, silentLogger } from '@dcmms/shared';
import type { Clock, DownlinkChannel, Logger, SiteStatus, Stream, UplinkConfig } from '@dcmms/shared';
import { reconnectDelay } from './backoff.js';
import type { TelemetryBuffer } from '../buffer/telemetry-buffer.js';
import type { AlarmJournal } from '../alarms/journal.js';
import { TokenBucket } from './token-bucket.js';

export interface UplinkCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly servername?: string;
}

export type StatusFields = Omit<SiteStatus, 'site' | 'state' | 'ts'>;

export interface UplinkOptions {
  readonly site: string;
  readonly config: UplinkConfig;
  readonly credentials: UplinkCredentials;
  readonly buffer: TelemetryBuffer;
  readonly journal: AlarmJournal;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly random?: () => number;
  /** What the retained status message says besides online/offline. */
  readonly status: () => StatusFields;
  /** A downlink message. Called synchronously from the MQTT client; must not throw. */
  readonly onDownlink: (channel: DownlinkChannel, payload: Buffer) => void;
  /** Replaces mqtt.connect (tests). */
  readonly connect?: (url: string, options: IClientOptions) => MqttClient;
}

export interface UplinkStats {
  readonly connected: boolean;
  readonly inFlight: { readonly live: number; readonly backfill: number; readonly alerts: number; readonly gaps: number; readonly results: number };
  readonly published: { readonly live: number; readonly backfill: number; readonly alerts: number; readonly gaps: number; readonly results: number; readonly status: number };
  readonly acked: { readonly live: number; readonly backfill: number };
  readonly ackedReadings: { readonly live: number; readonly backfill: number };
  readonly bytesPublished: number;
  readonly connects: number;
  readonly connectFailures: number;
  readonly ackTimeouts: number;
  readonly queuedResults: number;
  readonly lastError: string | null;
  readonly connectedSince: number | null;
}

interface InFlight {
  readonly sentAt: number;
  readonly readings: number;
}

interface Session {
  readonly id: number;
  readonly client: MqttClient;
  readonly startedAt: number;
  connected: boolean;
  closed: boolean;
  liveFrom: number;
  liveNext: number;
  backfillNext: number;
  alertNext: number;
  gapNext: number;
  readonly live: Map<number, InFlight>;
  readonly backfill: Map<number, InFlight>;
  readonly alerts: Map<number, { sentAt: number; seqs: number[] }>;
  readonly gaps: Map<number, number>;
  readonly results: Map<number, { sentAt: number; payload: string }>;
  bucket: TokenBucket;
  connectedAt: number;
}

const MAX_QUEUED_RESULTS = 1000;
const ALERT_IN_FLIGHT = 4;
const GAP_IN_FLIGHT = 4;
const RESULT_IN_FLIGHT = 4;
/** A session that lasted this long resets the reconnect backoff. */
const STABLE_SESSION_MS = 10_000;

/**
 * Store-and-forward uplink over MQTT QoS 1. The buffer is the queue: the cursor of a lane
 * moves only when the gateway's PUBACK arrives (it sends one only after Kafka acknowledged),
 * so a lost connection loses nothing and costs at most the unacknowledged batches again.
 *
 * Per connection: alarm events first, then gap records, then the live lane (batches
 * committed since this connection came up, in order), and, when the live lane has nothing
 * waiting, the backfill lane (everything older and unacknowledged, oldest first, at a
 * bounded rate in readings per second). A fresh MQTT client per connection keeps mqtt.js
 * from replaying its own queue behind ours; reconnects back off exponentially with jitter.
 */
export class Uplink {
  private readonly o: UplinkOptions;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly connectFn: (url: string, options: IClientOptions) => MqttClient;
  private session: Session | null = null;
  private sessions = 0;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backfillTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private running = false;
  private stopping = false;
  private readonly results: string[] = [];
  private lastError: string | null = null;
  private readonly c = {
    published: { live: 0, backfill: 0, alerts: 0, gaps: 0, results: 0, status: 0 },
    acked: { live: 0, backfill: 0 },
    ackedReadings: { live: 0, backfill: 0 },
    bytesPublished: 0,
    connects: 0,
    connectFailures: 0,
    ackTimeouts: 0,
  };
  private readonly unsubscribeCommit: () => void;

  constructor(options: UplinkOptions) {
    this.o = options;
    this.log = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.connectFn = options.connect ?? ((url, opts) => mqtt.connect(url, opts));
    this.unsubscribeCommit = options.buffer.onCommit(() => this.pump());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
    this.watchdog = setInterval(() => this.checkAcks(), 1000);
    this.watchdog.unref();
    this.statusTimer = setInterval(() => this.publishStatus('online'), this.o.config.statusIntervalMs);
    this.statusTimer.unref();
  }

  /** The lane a batch committed now will travel on (written into the batch). */
  laneForCommit(): Stream {
    return this.session?.connected ? 'live' : 'backfill';
  }

  isConnected(): boolean {
    return this.session?.connected ?? false;
  }

  /** New alarm events or gap records to send: called by the agent after journaling. */
  wake(): void {
    this.pump();
  }

  /** Publishes the retained status now (after a config change, so the cloud sees the applied version at once). */
  refreshStatus(): void {
    this.publishStatus('online');
  }

  /** Sends a config or command result on the results channel (queued while offline, bounded). */
  publishResult(result: object): void {
    this.results.push(JSON.stringify(result));
    if (this.results.length > MAX_QUEUED_RESULTS) {
      const dropped = this.results.shift();
      this.log.warn({ event: 'result_dropped', result: dropped }, 'too many results queued while offline; the oldest was dropped');
    }
    this.pump();
  }

  /**
   * Publishes the offline status, waits (bounded) for messages in flight to be acknowledged,
   * and disconnects cleanly (so the broker does not also fire the last will).
   */
  async stop(flushTimeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.running = false;
    for (const t of [this.reconnectTimer, this.backfillTimer]) if (t) clearTimeout(t);
    for (const t of [this.watchdog, this.statusTimer]) if (t) clearInterval(t);
    this.unsubscribeCommit();
    const s = this.session;
    if (s === null) return;
    if (s.connected) {
      const deadline = this.o.clock.now() + flushTimeoutMs;
      await new Promise<void>((resolve) => {
        s.client.publish(mqttTopic(this.o.site, 'status'), this.statusPayload('offline'), { qos: 1, retain: true }, () => resolve());
        setTimeout(resolve, flushTimeoutMs).unref();
      });
      while (s.connected && inFlightCount(s) > 0 && this.o.clock.now() < deadline) await sleep(20);
    }
    await new Promise<void>((resolve) => {
      s.client.end(!s.connected, {}, () => resolve());
      setTimeout(resolve, 2000).unref();
    });
    this.endSession(s);
  }

  stats(): UplinkStats {
    const s = this.session;
    return {
      connected: s?.connected ?? false,
      inFlight: {
        live: s?.live.size ?? 0,
        backfill: s?.backfill.size ?? 0,
        alerts: s?.alerts.size ?? 0,
        gaps: s?.gaps.size ?? 0,
        results: s?.results.size ?? 0,
      },
      published: { ...this.c.published },
      acked: { ...this.c.acked },
      ackedReadings: { ...this.c.ackedReadings },
      bytesPublished: this.c.bytesPublished,
      connects: this.c.connects,
      connectFailures: this.c.connectFailures,
      ackTimeouts: this.c.ackTimeouts,
      queuedResults: this.results.length,
      lastError: this.lastError,
      connectedSince: s?.connected ? s.connectedAt : null,
    };
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (!this.running) return;
    const { config, credentials, site } = this.o;
    const id = ++this.sessions;
    const options: IClientOptions = {
      clientId: config.clientId ?? `dcmms-edge-${site}`,
      username: credentials.username ?? config.username ?? site,
      ...(credentials.password === undefined ? {} : { password: credentials.password }),
      clean: !config.persistentSession,
      keepalive: config.keepaliveS,
      connectTimeout: config.connectTimeoutMs,
      reconnectPeriod: 0,
      protocolVersion: 4,
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: mqttTopic(site, 'status'), payload: Buffer.from(this.statusPayload('offline')), qos: 1, retain: true },
      ...(credentials.ca === undefined ? {} : { ca: credentials.ca }),
      ...(credentials.cert === undefined ? {} : { cert: credentials.cert }),
      ...(credentials.key === undefined ? {} : { key: credentials.key }),
      ...(credentials.servername === undefined ? {} : { servername: credentials.servername }),
      rejectUnauthorized: true,
    };
    let client: MqttClient;
    try {
      client = this.connectFn(config.url, options);
    } catch (err) {
      this.fail(`cannot create the MQTT client: ${message(err)}`);
      this.scheduleReconnect(0);
      return;
    }
    const now = this.o.clock.now();
    const s: Session = {
      id,
      client,
      startedAt: now,
      connected: false,
      closed: false,
      liveFrom: 0,
      liveNext: 0,
      backfillNext: 0,
      alertNext: -1,
      gapNext: 0,
      live: new Map(),
      backfill: new Map(),
      alerts: new Map(),
      gaps: new Map(),
      results: new Map(),
      bucket: new TokenBucket(config.backfillReadingsPerSecond, now),
      connectedAt: 0,
    };
    this.session = s;
    client.on('connect', () => this.onConnect(s));
    client.on('close', () => this.onClose(s));
    client.on('error', (err) => this.fail(`uplink error: ${message(err)}`));
    // Downlink is handed over synchronously (alert actions are journaled before this returns;
    // config and commands are queued by the agent), then PUBACKed.
    client.handleMessage = (packet: IPublishPacket, done: (error?: Error) => void) => {
      this.onMessage(packet);
      done();
    };
  }

  private onConnect(s: Session): void {
    if (s !== this.session || s.closed) return;
    s.connected = true;
    s.connectedAt = this.o.clock.now();
    this.c.connects++;
    this.lastError = null;
    s.liveFrom = this.o.buffer.peekNextSeq();
    s.liveNext = s.liveFrom;
    s.bucket = new TokenBucket(this.o.config.backfillReadingsPerSecond, s.connectedAt);
    const backlog = this.o.buffer.stats();
    this.log.info({ event: 'uplink_connected', url: this.o.config.url, liveFrom: s.liveFrom, backlogBatches: backlog.backlogBatches }, 'uplink connected');
    const topics = Object.fromEntries(DOWNLINK_CHANNELS.map((ch) => [mqttTopic(this.o.site, ch), { qos: 1 as const }]));
    s.client.subscribe(topics, (err) => {
      if (err && s === this.session && s.connected) {
        this.fail(`cannot subscribe to the downlink: ${message(err)}`);
        s.client.end(true);
      }
    });
    this.publishStatus('online');
    this.pump();
  }

  private onClose(s: Session): void {
    if (s.closed) return;
    const wasConnected = s.connected;
    this.endSession(s);
    if (!wasConnected) this.c.connectFailures++;
    if (this.stopping || !this.running || s !== this.session) return;
    const lasted = this.o.clock.now() - (wasConnected ? s.connectedAt : s.startedAt);
    if (wasConnected && lasted >= STABLE_SESSION_MS) this.attempt = 0;
    const delay = reconnectDelay(this.attempt++, this.o.config.reconnect, this.random);
    this.log.warn({ event: 'uplink_disconnected', wasConnected, reconnectInMs: delay, lastError: this.lastError }, 'uplink connection closed; reconnecting');
    this.scheduleReconnect(delay);
  }

  private endSession(s: Session): void {
    s.closed = true;
    s.connected = false;
    // What was in flight was not acknowledged: it stays in the buffer for the next connection.
    for (const seq of s.live.keys()) this.o.buffer.releaseInFlight(seq);
    for (const seq of s.backfill.keys()) this.o.buffer.releaseInFlight(seq);
    const unacked = [...s.results.values()].map((r) => r.payload);
    this.results.unshift(...unacked);
    s.live.clear();
    s.backfill.clear();
    s.alerts.clear();
    s.gaps.clear();
    s.results.clear();
    if (this.backfillTimer) {
      clearTimeout(this.backfillTimer);
      this.backfillTimer = null;
    }
    s.client.removeAllListeners('connect');
    s.client.end(true);
  }

  private scheduleReconnect(delay: number): void {
    if (this.reconnectTimer || !this.running) return;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private fail(reason: string): void {
    if (this.lastError !== reason) this.log.warn({ event: 'uplink_error' }, reason);
    this.lastError = reason;
  }

  private onMessage(packet: IPublishPacket): void {
    const topic = parseMqttTopic(packet.topic);
    if (topic === null || topic.site !== this.o.site || topic.direction !== 'down') {
      this.log.warn({ event: 'downlink_refused', topic: packet.topic }, 'message on a topic that is not our downlink; ignored');
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
    try {
      this.o.onDownlink(topic.channel as DownlinkChannel, payload);
    } catch (err) {
      this.log.error({ event: 'downlink_failed', err, channel: topic.channel }, 'downlink handler threw');
    }
  }

  private publishStatus(state: 'online' | 'offline'): void {
    const s = this.session;
    if (!s?.connected) return;
    this.c.published.status++;
    s.client.publish(mqttTopic(this.o.site, 'status'), this.statusPayload(state), { qos: 1, retain: true }, (err) => {
      if (err) this.log.debug({ err }, 'status not acknowledged');
    });
  }

  private statusPayload(state: 'online' | 'offline'): string {
    let fields: StatusFields;
    try {
      fields = this.o.status();
    } catch (err) {
      this.log.warn({ err }, 'status fields unavailable');
      fields = { appliedConfigVersion: null };
    }
    const status: SiteStatus = { site: this.o.site, state, ts: this.o.clock.now(), ...fields };
    return JSON.stringify(status);
  }

  /** Fills every lane up to its in-flight limit, in priority order. */
  private pump(): void {
    const s = this.session;
    if (s === null || !s.connected || this.stopping) return;
    try {
      this.pumpAlerts(s);
      this.pumpGaps(s);
      this.pumpResults(s);
      this.pumpLive(s);
      if (s.liveNext >= this.o.buffer.peekNextSeq()) this.pumpBackfill(s);
    } catch (err) {
      // A storage read failed: try again on the next wake; never let it escape into mqtt.js.
      this.fail(`uplink pump failed: ${message(err)}`);
    }
  }

  private publish(s: Session, channel: 'telemetry' | 'alerts' | 'results', payload: Buffer | string, onAck: () => void): void {
    this.c.bytesPublished += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    s.client.publish(mqttTopic(this.o.site, channel), payload, { qos: 1 }, (err) => {
      if (err) return; // the connection went: the next session sends it again
      onAck();
      this.pump();
    });
  }

  private pumpAlerts(s: Session): void {
    while (s.alerts.size < ALERT_IN_FLIGHT) {
      const rows = this.o.journal.unsent(s.alertNext, this.o.config.alertEventsPerMessage);
      if (rows.length === 0) return;
      const seqs = rows.map((r) => r.eventSeq);
      const first = seqs[0]!;
      s.alertNext = seqs[seqs.length - 1]!;
      s.alerts.set(first, { sentAt: this.o.clock.now(), seqs });
      this.c.published.alerts++;
      this.publish(s, 'alerts', `[${rows.map((r) => r.body).join(',')}]`, () => {
        s.alerts.delete(first);
        this.o.journal.markSent(seqs);
      });
    }
  }

  private pumpGaps(s: Session): void {
    if (s.gaps.size >= GAP_IN_FLIGHT) return;
    for (const gap of this.o.buffer.unsentGaps(s.gapNext, GAP_IN_FLIGHT - s.gaps.size)) {
      s.gapNext = gap.id;
      s.gaps.set(gap.id, this.o.clock.now());
      this.c.published.gaps++;
      this.publish(s, 'telemetry', gap.body, () => {
        s.gaps.delete(gap.id);
        this.o.buffer.ackGap(gap.id);
      });
    }
  }

  private pumpResults(s: Session): void {
    while (s.results.size < RESULT_IN_FLIGHT && this.results.length > 0) {
      const payload = this.results.shift()!;
      const key = this.c.published.results++;
      s.results.set(key, { sentAt: this.o.clock.now(), payload });
      this.publish(s, 'results', payload, () => s.results.delete(key));
    }
  }

  private pumpLive(s: Session): void {
    const limit = this.o.config.liveInFlight;
    while (s.live.size < limit) {
      const rows = this.o.buffer.readUnacked(s.liveNext, Number.MAX_SAFE_INTEGER, limit - s.live.size);
      if (rows.length === 0) return;
      for (const row of rows) {
        s.liveNext = row.seq + 1;
        this.sendBatch(s, 'live', row.seq, row.readings, row.body);
      }
    }
  }

  private pumpBackfill(s: Session): void {
    const limit = this.o.config.backfillInFlight;
    while (s.backfill.size < limit) {
      const rows = this.o.buffer.readUnacked(s.backfillNext, s.liveFrom, limit - s.backfill.size);
      if (rows.length === 0) return;
      for (const row of rows) {
        const now = this.o.clock.now();
        if (!s.bucket.tryTake(row.readings, now)) {
          this.scheduleBackfill(s.bucket.waitMs(now));
          return;
        }
        s.backfillNext = row.seq + 1;
        this.sendBatch(s, 'backfill', row.seq, row.readings, row.body);
      }
    }
  }

  private scheduleBackfill(ms: number): void {
    if (this.backfillTimer) return;
    this.backfillTimer = setTimeout(() => {
      this.backfillTimer = null;
      this.pump();
    }, Math.max(1, ms));
  }

  private sendBatch(s: Session, lane: Stream, seq: number, readings: number, body: Buffer): void {
    const lanes = lane === 'live' ? s.live : s.backfill;
    lanes.set(seq, { sentAt: this.o.clock.now(), readings });
    this.o.buffer.markInFlight(seq);
    this.c.published[lane]++;
    this.publish(s, 'telemetry', body, () => {
      lanes.delete(seq);
      if (this.o.buffer.ack(seq, lane)) {
        this.c.acked[lane]++;
        this.c.ackedReadings[lane] += readings;
      }
    });
  }

  /** A PUBACK that never comes means a dead link TCP has not noticed yet: reconnect. */
  private checkAcks(): void {
    const s = this.session;
    if (s === null || !s.connected) return;
    const now = this.o.clock.now();
    let oldest = Number.POSITIVE_INFINITY;
    for (const m of [s.live, s.backfill]) for (const f of m.values()) oldest = Math.min(oldest, f.sentAt);
    for (const f of s.alerts.values()) oldest = Math.min(oldest, f.sentAt);
    for (const f of s.results.values()) oldest = Math.min(oldest, f.sentAt);
    for (const t of s.gaps.values()) oldest = Math.min(oldest, t);
    if (now - oldest > this.o.config.ackTimeoutMs) {
      this.c.ackTimeouts++;
      this.fail(`no PUBACK for ${Math.round((now - oldest) / 1000)} s`);
      s.client.end(true);
      return;
    }
    this.pump();
  }
}

function inFlightCount(s: Session): number {
  return s.live.size + s.backfill.size + s.alerts.size + s.gaps.size + s.results.size;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
