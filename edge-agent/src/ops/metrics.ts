import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AdapterCounters, DeviceAdapter } from '@dcmms/protocol-adapters';
import type { BufferCounters, BufferStats } from '../buffer/telemetry-buffer.js';
import type { UplinkStats } from '../uplink/uplink.js';

/** What the metrics read at scrape time. */
export interface MetricSources {
  readonly now: () => number;
  readonly adapters: () => ReadonlyArray<DeviceAdapter>;
  readonly buffer: () => { stats: BufferStats; counters: BufferCounters; fileBytes: number };
  readonly uplink: () => UplinkStats | null;
  readonly alarms: () => ReadonlyArray<{ state: string; severity: string }>;
  readonly journalUnsent: () => number;
  readonly configVersion: () => number | null;
}

export interface AgentMetrics {
  readonly pollLatency: Histogram<'device'>;
  readonly readings: Counter<'device'>;
  readonly alarmEvents: Counter<'kind' | 'severity'>;
  readonly configApplies: Counter<'result'>;
  readonly commands: Counter<'status'>;
  readonly downlinkInvalid: Counter<'channel'>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The agent's Prometheus metrics. Event counters are incremented where things happen;
 * state (buffer, uplink, alarms, adapter counters) is read when Prometheus scrapes, so
 * there is nothing to keep in step.
 */
export function createAgentMetrics(registry: Registry, sources: MetricSources): AgentMetrics {
  const r = [registry];
  const metrics: AgentMetrics = {
    pollLatency: new Histogram({
      name: 'dcmms_edge_poll_latency_seconds',
      help: 'Time from the scheduled poll instant (polls align to wall-clock multiples of the interval) to the readings reaching the agent, per request',
      labelNames: ['device'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    readings: new Counter({ name: 'dcmms_edge_readings_total', help: 'Readings received from the adapters', labelNames: ['device'], registers: r }),
    alarmEvents: new Counter({ name: 'dcmms_edge_alarm_events_total', help: 'Alarm lifecycle events journaled', labelNames: ['kind', 'severity'], registers: r }),
    configApplies: new Counter({ name: 'dcmms_edge_config_applies_total', help: 'Configs from the cloud, by result', labelNames: ['result'], registers: r }),
    commands: new Counter({ name: 'dcmms_edge_commands_total', help: 'Commands from the cloud, by result', labelNames: ['status'], registers: r }),
    downlinkInvalid: new Counter({ name: 'dcmms_edge_downlink_invalid_total', help: 'Downlink messages refused as malformed', labelNames: ['channel'], registers: r }),
  };

  // Adapter counters are cumulative per adapter instance; an adapter replaced by a config
  // change starts from zero, so deltas are taken per instance.
  const seen = new WeakMap<DeviceAdapter, Mutable<AdapterCounters>>();
  const deviceErrors = new Counter({ name: 'dcmms_edge_device_errors_total', help: 'Device request failures by kind', labelNames: ['device', 'kind'], registers: r });
  const requests = new Counter({ name: 'dcmms_edge_device_requests_total', help: 'Requests sent to devices', labelNames: ['device'], registers: r });
  const requestSeconds = new Counter({ name: 'dcmms_edge_device_request_seconds_total', help: 'Sum of request round-trip times (rate over requests_total = mean latency)', labelNames: ['device'], registers: r });
  const reconnects = new Counter({ name: 'dcmms_edge_device_reconnects_total', help: 'Device reconnects', labelNames: ['device'], registers: r });
  const missed = new Counter({ name: 'dcmms_edge_poll_missed_cycles_total', help: 'Poll cycles skipped because the previous one had not finished', labelNames: ['device'], registers: r });
  const connected = new Gauge({ name: 'dcmms_edge_device_connected', help: '1 when the device is connected', labelNames: ['device'], registers: r });
  const collectAdapters = (): void => {
    connected.reset();
    for (const a of sources.adapters()) {
      const c = a.counters();
      const prev = seen.get(a) ?? zero();
      const d = (k: keyof AdapterCounters): number => Math.max(0, c[k] - prev[k]);
      deviceErrors.inc({ device: a.device, kind: 'timeout' }, d('timeouts'));
      deviceErrors.inc({ device: a.device, kind: 'device_error' }, d('deviceErrors'));
      deviceErrors.inc({ device: a.device, kind: 'malformed' }, d('malformed'));
      requests.inc({ device: a.device }, d('requests'));
      requestSeconds.inc({ device: a.device }, d('latencyMsSum') / 1000);
      reconnects.inc({ device: a.device }, d('reconnects'));
      missed.inc({ device: a.device }, d('missedCycles'));
      seen.set(a, { ...c });
      connected.set({ device: a.device }, a.state() === 'connected' ? 1 : 0);
    }
  };
  // One collector drives the adapter family; the others read it fresh.
  new Gauge({ name: 'dcmms_edge_devices', help: 'Devices running', registers: r, collect() { collectAdapters(); this.set(sources.adapters().length); } });

  const gauge = (name: string, help: string, read: () => number, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: r, collect() { this.set(read()); } });
  const buf = () => sources.buffer();
  gauge('dcmms_edge_buffer_batches', 'Batches stored in the buffer (acknowledged ones until housekeeping deletes them)', () => buf().stats.batches);
  gauge('dcmms_edge_buffer_readings', 'Readings stored in the buffer', () => buf().stats.readings);
  gauge('dcmms_edge_buffer_bytes', 'Encoded batch bytes stored in the buffer', () => buf().stats.bytes);
  gauge('dcmms_edge_buffer_file_bytes', 'Size of the buffer database (pages times page size)', () => buf().fileBytes);
  gauge('dcmms_edge_buffer_backlog_batches', 'Batches not yet acknowledged by the cloud', () => buf().stats.backlogBatches);
  gauge('dcmms_edge_buffer_backlog_readings', 'Readings not yet acknowledged by the cloud', () => buf().stats.backlogReadings);
  gauge('dcmms_edge_buffer_pending_readings', 'Readings waiting for the next commit', () => buf().stats.pendingReadings);
  gauge('dcmms_edge_buffer_oldest_age_seconds', 'Age of the oldest stored reading (source time)', () => {
    const t = buf().stats.oldestTs;
    return t === null ? 0 : Math.max(0, (sources.now() - t) / 1000);
  });
  gauge('dcmms_edge_buffer_disk_full', '1 while commits fail because the disk (or the configured file cap) is full', () => (buf().stats.diskFull ? 1 : 0));
  gauge('dcmms_edge_buffer_error', '1 while the buffer reports a storage error', () => (buf().stats.lastError === null ? 0 : 1));
  gauge('dcmms_edge_buffer_unsent_gap_records', 'Gap records not yet acknowledged by the cloud', () => buf().stats.unsentGaps);

  const last = { dropped: {} as Record<string, number>, committed: 0, rejected: 0, gaps: 0, failures: 0 };
  const dropped = new Counter({ name: 'dcmms_edge_dropped_readings_total', help: 'Readings dropped by the buffer (each reported upstream as a gap record)', labelNames: ['reason'], registers: r });
  const committed = new Counter({ name: 'dcmms_edge_buffer_committed_readings_total', help: 'Readings committed to the buffer', registers: r });
  const rejected = new Counter({ name: 'dcmms_edge_rejected_readings_total', help: 'Readings refused because they break the wire contract (logged with the reading)', registers: r });
  const gapRecords = new Counter({ name: 'dcmms_edge_gap_records_total', help: 'Gap records created', registers: r });
  const commitFailures = new Counter({ name: 'dcmms_edge_buffer_commit_failures_total', help: 'Commits that failed (disk full, I/O)', registers: r });
  new Gauge({
    name: 'dcmms_edge_buffer_collect',
    help: 'Always 1 (drives the buffer counters at scrape time)',
    registers: r,
    collect() {
      const c = buf().counters;
      for (const [reason, n] of Object.entries(c.droppedReadings)) {
        dropped.inc({ reason }, n - (last.dropped[reason] ?? 0));
        last.dropped[reason] = n;
      }
      committed.inc(c.committedReadings - last.committed);
      rejected.inc(c.rejectedReadings - last.rejected);
      gapRecords.inc(c.gapRecords - last.gaps);
      commitFailures.inc(c.commitFailures - last.failures);
      last.committed = c.committedReadings;
      last.rejected = c.rejectedReadings;
      last.gaps = c.gapRecords;
      last.failures = c.commitFailures;
      this.set(1);
    },
  });

  gauge('dcmms_edge_uplink_connected', '1 when connected to the cloud gateway', () => (sources.uplink()?.connected ? 1 : 0));
  gauge('dcmms_edge_uplink_lag_seconds', 'Age (commit time) of the oldest batch the cloud has not acknowledged', () => {
    const t = buf().stats.oldestUnackedCreatedAt;
    return t === null ? 0 : Math.max(0, (sources.now() - t) / 1000);
  });
  new Gauge({
    name: 'dcmms_edge_uplink_in_flight',
    help: 'Messages published and awaiting PUBACK, by lane',
    labelNames: ['lane'],
    registers: r,
    collect() {
      const u = sources.uplink();
      for (const lane of ['live', 'backfill', 'alerts', 'gaps', 'results'] as const) this.set({ lane }, u?.inFlight[lane] ?? 0);
    },
  });
  const uplinkLast = { published: {} as Record<string, number>, acked: {} as Record<string, number>, ackedReadings: {} as Record<string, number>, connects: 0, failures: 0, timeouts: 0, bytes: 0 };
  const published = new Counter({ name: 'dcmms_edge_uplink_published_total', help: 'Messages published, by lane', labelNames: ['lane'], registers: r });
  const acked = new Counter({ name: 'dcmms_edge_uplink_acked_batches_total', help: 'Telemetry batches acknowledged by the cloud, by lane', labelNames: ['lane'], registers: r });
  const ackedReadings = new Counter({ name: 'dcmms_edge_uplink_acked_readings_total', help: 'Readings acknowledged by the cloud, by lane', labelNames: ['lane'], registers: r });
  const connects = new Counter({ name: 'dcmms_edge_uplink_connects_total', help: 'Successful connections to the gateway', registers: r });
  const connectFailures = new Counter({ name: 'dcmms_edge_uplink_connect_failures_total', help: 'Connection attempts that failed', registers: r });
  const ackTimeouts = new Counter({ name: 'dcmms_edge_uplink_ack_timeouts_total', help: 'Connections dropped because a PUBACK did not come', registers: r });
  const bytes = new Counter({ name: 'dcmms_edge_uplink_bytes_total', help: 'Payload bytes published', registers: r });
  new Gauge({
    name: 'dcmms_edge_uplink_collect',
    help: 'Always 1 (drives the uplink counters at scrape time)',
    registers: r,
    collect() {
      const u = sources.uplink();
      this.set(1);
      if (u === null) return;
      const step = (counter: Counter<'lane'>, now: Record<string, number>, prev: Record<string, number>) => {
        for (const [lane, n] of Object.entries(now)) {
          counter.inc({ lane }, Math.max(0, n - (prev[lane] ?? 0)));
          prev[lane] = n;
        }
      };
      step(published, u.published, uplinkLast.published);
      step(acked, u.acked, uplinkLast.acked);
      step(ackedReadings, u.ackedReadings, uplinkLast.ackedReadings);
      connects.inc(u.connects - uplinkLast.connects);
      connectFailures.inc(u.connectFailures - uplinkLast.failures);
      ackTimeouts.inc(u.ackTimeouts - uplinkLast.timeouts);
      bytes.inc(u.bytesPublished - uplinkLast.bytes);
      uplinkLast.connects = u.connects;
      uplinkLast.failures = u.connectFailures;
      uplinkLast.timeouts = u.ackTimeouts;
      uplinkLast.bytes = u.bytesPublished;
    },
  });

  new Gauge({
    name: 'dcmms_edge_alarms',
    help: 'Alarm points by ISA-18.2 state and severity',
    labelNames: ['state', 'severity'],
    registers: r,
    collect() {
      this.reset();
      for (const p of sources.alarms()) this.inc({ state: p.state, severity: p.severity });
    },
  });
  gauge('dcmms_edge_alarm_journal_unsent', 'Alarm events not yet acknowledged by the cloud', () => sources.journalUnsent());
  gauge('dcmms_edge_config_version', 'Version of the config applied from the cloud (0: the site file only)', () => sources.configVersion() ?? 0);
  return metrics;
}

function zero(): Mutable<AdapterCounters> {
  return { requests: 0, responses: 0, timeouts: 0, deviceErrors: 0, malformed: 0, reconnects: 0, missedCycles: 0, readings: 0, latencyMsSum: 0, latencyCount: 0 };
}
