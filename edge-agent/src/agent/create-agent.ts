import { dirname, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Registry } from 'prom-client';
import { alertActionSchema, anyConfigEnvelopeSchema, createMetricsRegistry, describeError, siteTags, silentLogger, systemClock } from '@dcmms/shared';
import type { Clock, ConfigEnvelope, ConfigResult, DeviceConfig, DownlinkChannel, EncodeOptions, Logger, Reading, SiteConfig, SiteTag } from '@dcmms/shared';
import type { AdapterSink, DeviceStateEvent } from '@dcmms/protocol-adapters';
import type { IClientOptions, MqttClient } from 'mqtt';
import { openBufferDatabase } from '../buffer/open-database.js';
import { TelemetryBuffer } from '../buffer/telemetry-buffer.js';
import type { BufferLimits } from '../buffer/telemetry-buffer.js';
import { AlarmEngine } from '../alarms/engine.js';
import type { EngineOutput } from '../alarms/engine.js';
import { AlarmJournal } from '../alarms/journal.js';
import { Uplink } from '../uplink/uplink.js';
import type { UplinkCredentials } from '../uplink/uplink.js';
import { resolveConfigPath } from '../config/load-config.js';
import { createAgentMetrics } from '../ops/metrics.js';
import type { AgentMetrics } from '../ops/metrics.js';
import { DeviceSet } from './device-set.js';
import type { AdapterFactory } from './device-set.js';
import { planConfigChange } from './config-change.js';
import { loadAppliedConfig, saveAppliedConfig } from './applied-config.js';
import { CommandHandler } from './commands.js';

export interface EdgeAgentOptions {
  /** The site file's config. */
  readonly config: SiteConfig;
  /** Folder relative paths in the config are resolved against (the config file's). */
  readonly baseDir: string;
  readonly adapterFactory: AdapterFactory;
  /** Resolved uplink secrets; required when the config has an uplink. */
  readonly credentials?: UplinkCredentials;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly random?: () => number;
  readonly agentVersion?: string;
  readonly registry?: Registry;
  /** Replaces mqtt.connect (tests). */
  readonly mqttConnect?: (url: string, options: IClientOptions) => MqttClient;
  /** Codec options for stored batches (default: the codec's). */
  readonly encode?: EncodeOptions;
  /** Alarm clock (stale data, comm loss, shelve expiry) and housekeeping period. */
  readonly tickMs?: number;
}

export interface AgentStatus {
  readonly site: string;
  readonly agentVersion: string;
  readonly startedAt: number | null;
  readonly ready: boolean;
  readonly notReady: string[];
  readonly configVersion: number | null;
  readonly devices: Array<{ id: string; state: string; counters: Record<string, number> }>;
  readonly buffer: ReturnType<TelemetryBuffer['stats']> & { fileBytes: number };
  readonly uplink: ReturnType<Uplink['stats']> | null;
  readonly alarms: { readonly unacknowledged: number; readonly active: number; readonly shelved: number; readonly outOfService: number; readonly points: ReturnType<AlarmEngine['snapshot']> };
  readonly alarmJournal: ReturnType<AlarmJournal['stats']>;
  readonly memory: NodeJS.MemoryUsage;
}

export interface EdgeAgent {
  readonly site: string;
  readonly registry: Registry;
  readonly buffer: TelemetryBuffer;
  readonly journal: AlarmJournal;
  readonly uplink: Uplink | null;
  readonly metrics: AgentMetrics;
  start(): Promise<void>;
  /** Stops polling, commits what is pending, flushes the uplink (bounded) and closes the buffer. */
  stop(): Promise<void>;
  status(): AgentStatus;
  readiness(): { ready: boolean; reasons: string[] };
  config(): SiteConfig;
  configVersion(): number | null;
  engine(): AlarmEngine;
  /** Downlink entry point (the uplink calls it; tests may too). */
  downlink(channel: DownlinkChannel, payload: Buffer): void;
  /** Resolves when every downlink message handed over so far has been processed. */
  idle(): Promise<void>;
}

/**
 * The agent: adapters feed readings to the alarm engine and the buffer; timers commit the
 * buffer, run the alarm clock and housekeeping; the uplink sends from the buffer and hands
 * downlink messages back here. Everything is passed in (config, adapter factory, clock,
 * logger, MQTT connect), so tests run real parts with their own clock and brokers.
 */
export function createEdgeAgent(options: EdgeAgentOptions): EdgeAgent {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? silentLogger;
  const fileConfig = options.config;
  const site = fileConfig.site;
  const agentVersion = options.agentVersion ?? '0.1.0';
  const bufferPath = resolveConfigPath(options.baseDir, fileConfig.buffer.path);
  const appliedPath = join(dirname(bufferPath), `${site}.applied-config.json`);

  // The last config applied from the cloud wins over the file for what the cloud governs.
  let config = fileConfig;
  let configVersion: number | null = null;
  const stored = loadAppliedConfig(appliedPath);
  if (stored !== null) {
    const plan = planConfigChange(fileConfig, stored, site);
    if (plan.ok) {
      config = plan.config;
      configVersion = stored.version;
      log.info({ event: 'config_restored', version: stored.version }, 'running the config last applied from the cloud');
    } else {
      log.warn({ event: 'config_restore_failed', version: stored.version, reason: plan.reason }, 'the stored cloud config no longer fits the site file; running the file');
    }
  }
  let tags: Map<string, SiteTag> = siteTags(config);
  let pollIntervals = pollIntervalsOf(config.devices);

  const db: Database = openBufferDatabase({
    path: bufferPath,
    site,
    ...(config.buffer.maxFileBytes === undefined ? {} : { maxPageCount: Math.floor(config.buffer.maxFileBytes / 4096) }),
  });
  // eslint-disable-next-line prefer-const -- the buffer asks the uplink for the lane, and the uplink needs the buffer
  let uplink: Uplink | null;
  const buffer = new TelemetryBuffer({
    db,
    site,
    clock,
    limits: limitsOf(config),
    logger: log.child({ component: 'buffer' }),
    ...(options.encode === undefined ? {} : { encode: options.encode }),
    streamFor: () => uplink?.laneForCommit() ?? 'backfill',
  });
  const journal = new AlarmJournal({ db, logger: log.child({ component: 'alarms' }) });
  const engine = new AlarmEngine({ site, rules: config.alarms, tags, now: clock.now(), restored: journal.loadLifecycles(), pending: journal.loadPending() });

  const registry = options.registry ?? createMetricsRegistry({ prefix: 'dcmms_edge_' });
  const deviceStates = new Map<string, DeviceStateEvent>();
  const metrics = createAgentMetrics(registry, {
    now: () => clock.now(),
    adapters: () => devices.adapters(),
    buffer: () => ({ stats: buffer.stats(), counters: buffer.counters(), fileBytes: safe(() => buffer.fileBytes(), 0) }),
    uplink: () => uplink?.stats() ?? null,
    alarms: () => engine.snapshot(),
    journalUnsent: () => journal.stats().unsent,
    configVersion: () => configVersion,
  });

  const record = (out: EngineOutput): void => {
    const events = journal.record(out);
    for (const e of events) metrics.alarmEvents.inc({ kind: e.kind, severity: e.severity });
    if (events.length > 0) {
      for (const e of events) log.info({ event: 'alarm', alertId: e.alertId, kind: e.kind, state: e.state, occurrence: e.occurrence, severity: e.severity }, e.message);
      uplink?.wake();
    }
  };

  const sink: AdapterSink = {
    readings(device: string, readings: readonly Reading[]) {
      try {
        const now = clock.now();
        metrics.readings.inc({ device }, readings.length);
        const first = readings[0];
        const interval = first === undefined ? undefined : pollIntervals.get(first.tag);
        if (first !== undefined && interval !== undefined) {
          const late = first.ts - Math.floor(first.ts / interval) * interval;
          metrics.pollLatency.observe({ device }, late / 1000);
        }
        record(engine.onReadings(readings, now));
        buffer.append(readings);
      } catch (err) {
        log.error({ err, device }, 'handling readings failed');
      }
    },
    state(event: DeviceStateEvent) {
      try {
        const previous = deviceStates.get(event.device);
        deviceStates.set(event.device, event);
        if (previous?.state !== event.state) log.info({ event: 'device_state', device: event.device, state: event.state, reason: event.reason }, `device ${event.device} ${event.state}`);
        record(engine.onDeviceState(event));
      } catch (err) {
        log.error({ err, device: event.device }, 'handling a device state failed');
      }
    },
  };
  const devices = new DeviceSet(options.adapterFactory, sink, log.child({ component: 'devices' }));

  const commands = new CommandHandler(
    {
      site,
      clock,
      logger: log.child({ component: 'commands' }),
      tags: () => tags,
      adapterFor: (device) => devices.adapter(device),
      publish: (result) => uplink?.publishResult(result),
    },
    (status) => metrics.commands.inc({ status }),
  );

  // Downlink work that takes time (config, commands) runs one message at a time, in order.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (what: string, work: () => Promise<void>): void => {
    queue = queue.then(work).catch((err: unknown) => log.error({ err }, `${what} failed`));
  };

  const publishConfigResult = (version: number, status: ConfigResult['status'], reason?: string): void => {
    metrics.configApplies.inc({ result: status });
    uplink?.publishResult({ site, version, status, ...(reason === undefined ? {} : { reason: reason.slice(0, 8192) }), ts: clock.now() });
  };

  const applyConfig = async (payload: Buffer): Promise<void> => {
    const envelope = parseJson(payload, anyConfigEnvelopeSchema);
    if (envelope === null) {
      metrics.downlinkInvalid.inc({ channel: 'config' });
      const version = (tryJson(payload) as { version?: unknown } | undefined)?.version;
      log.warn({ event: 'config_invalid', payload: payload.toString('utf8').slice(0, 2048) }, 'refused a malformed config message');
      if (Number.isInteger(version) && (version as number) >= 1) publishConfigResult(version as number, 'rejected', 'not a config envelope {site, version, issuedAt, body}');
      return;
    }
    if (configVersion !== null && envelope.version < configVersion) {
      log.info({ event: 'config_old', version: envelope.version, running: configVersion }, 'ignored a config older than the running one');
      return;
    }
    if (configVersion !== null && envelope.version === configVersion) {
      publishConfigResult(envelope.version, 'applied');
      return;
    }
    const plan = planConfigChange(config, envelope as ConfigEnvelope, site);
    if (!plan.ok) {
      log.warn({ event: 'config_rejected', version: envelope.version, reason: plan.reason }, 'rejected a config from the cloud; the running config stays');
      publishConfigResult(envelope.version, 'rejected', plan.reason);
      return;
    }
    try {
      await devices.apply(plan.config.devices);
    } catch (err) {
      const reason = `adapters could not start: ${describeError(err)}`;
      log.warn({ event: 'config_rejected', version: envelope.version, reason }, 'rejected a config from the cloud; the running config stays');
      publishConfigResult(envelope.version, 'rejected', reason);
      return;
    }
    const next = plan.config;
    tags = siteTags(next);
    pollIntervals = pollIntervalsOf(next.devices);
    record(engine.reconfigure(next.alarms, tags, clock.now()));
    buffer.setLimits(limitsOf(next));
    const commitChanged = next.buffer.commitIntervalMs !== config.buffer.commitIntervalMs;
    config = next;
    configVersion = envelope.version;
    if (commitChanged && started) restartCommitTimer();
    try {
      saveAppliedConfig(appliedPath, envelope as ConfigEnvelope);
    } catch (err) {
      log.warn({ err }, 'the applied config could not be saved; a restart would run the previous one until the cloud resends it');
    }
    log.info({ event: 'config_applied', version: envelope.version, devices: next.devices.length, alarms: next.alarms.length }, 'applied a config from the cloud');
    publishConfigResult(envelope.version, 'applied');
    uplink?.refreshStatus();
  };

  const applyAlertAction = (payload: Buffer): void => {
    const action = parseJson(payload, alertActionSchema);
    if (action === null || action.site !== site) {
      metrics.downlinkInvalid.inc({ channel: 'alert-actions' });
      log.warn({ event: 'alert_action_invalid', payload: payload.toString('utf8').slice(0, 2048) }, 'refused a malformed alert action');
      return;
    }
    const result = engine.applyAction(action, clock.now());
    record(result.output);
    log.info({ event: 'alert_action', alertId: action.alertId, action: action.action, occurrence: action.occurrence, actor: action.actor, outcome: result.outcome, reason: result.reason }, `alert action ${action.action}: ${result.outcome}`);
  };

  const downlink = (channel: DownlinkChannel, payload: Buffer): void => {
    switch (channel) {
      case 'alert-actions':
        // Synchronous: journaled before the PUBACK goes out.
        applyAlertAction(payload);
        return;
      case 'config':
        enqueue('config apply', () => applyConfig(payload));
        return;
      case 'commands':
        enqueue('command', () => commands.handle(payload));
        return;
    }
  };

  uplink =
    config.uplink === undefined
      ? null
      : new Uplink({
          site,
          config: config.uplink,
          credentials: options.credentials ?? {},
          buffer,
          journal,
          clock,
          logger: log.child({ component: 'uplink' }),
          ...(options.random === undefined ? {} : { random: options.random }),
          ...(options.mqttConnect === undefined ? {} : { connect: options.mqttConnect }),
          status: () => {
            const s = buffer.stats();
            return {
              agentVersion,
              appliedConfigVersion: configVersion,
              buffer: { batches: s.backlogBatches, readings: s.backlogReadings, bytes: s.bytes, oldestTs: s.oldestTs, lastSeq: s.lastSeq, ackedSeq: s.ackedSeq },
              devices: devices.states().slice(0, 1024),
            };
          },
          onDownlink: downlink,
        });

  let started = false;
  let startedAt: number | null = null;
  let commitTimer: NodeJS.Timeout | null = null;
  let tickTimer: NodeJS.Timeout | null = null;
  let lastPrune = 0;
  const commit = (): void => {
    try {
      buffer.commit();
      journal.flush();
    } catch (err) {
      log.error({ err }, 'commit failed');
    }
  };
  const restartCommitTimer = (): void => {
    if (commitTimer) clearInterval(commitTimer);
    commitTimer = setInterval(commit, config.buffer.commitIntervalMs);
  };
  const tick = (): void => {
    try {
      const now = clock.now();
      record(engine.tick(now));
      const gaps = buffer.housekeep();
      if (gaps.length > 0) uplink?.wake();
      if (now - lastPrune > 3_600_000) {
        journal.prune(now - 7 * 86_400_000);
        lastPrune = now;
      }
    } catch (err) {
      log.error({ err }, 'alarm clock or housekeeping failed');
    }
  };

  const readiness = (): { ready: boolean; reasons: string[] } => {
    const reasons: string[] = [];
    if (!started) reasons.push('not started');
    const b = buffer.stats();
    if (b.diskFull) reasons.push('buffer: disk full');
    else if (b.lastError !== null) reasons.push(`buffer: ${b.lastError}`);
    if (journal.stats().failing) reasons.push('alarm journal: writes failing');
    return { ready: reasons.length === 0, reasons };
  };

  return {
    site,
    registry,
    buffer,
    journal,
    uplink,
    metrics,
    async start() {
      if (started) return;
      await devices.apply(config.devices);
      restartCommitTimer();
      tickTimer = setInterval(tick, options.tickMs ?? 1000);
      uplink?.start();
      started = true;
      startedAt = clock.now();
      log.info({ event: 'agent_started', site, devices: config.devices.length, alarms: config.alarms.length, configVersion, buffer: bufferPath }, 'edge agent started');
    },
    async stop() {
      if (!started) {
        if (db.open) db.close();
        return;
      }
      started = false;
      await devices.stopAll();
      if (commitTimer) clearInterval(commitTimer);
      if (tickTimer) clearInterval(tickTimer);
      await queue;
      commit();
      await uplink?.stop();
      commit();
      db.close();
      log.info({ event: 'agent_stopped', site }, 'edge agent stopped; buffer flushed and closed');
    },
    status() {
      const snapshot = engine.snapshot();
      const ready = readiness();
      return {
        site,
        agentVersion,
        startedAt,
        ready: ready.ready,
        notReady: ready.reasons,
        configVersion,
        devices: devices.adapters().map((a) => ({ id: a.device, state: a.state(), counters: { ...a.counters() } })),
        buffer: { ...buffer.stats(), fileBytes: safe(() => buffer.fileBytes(), 0) },
        uplink: uplink?.stats() ?? null,
        alarms: {
          unacknowledged: snapshot.filter((p) => p.state === 'unacked_active' || p.state === 'unacked_rtn').length,
          active: snapshot.filter((p) => p.state === 'unacked_active' || p.state === 'acked_active').length,
          shelved: snapshot.filter((p) => p.state === 'shelved').length,
          outOfService: snapshot.filter((p) => p.state === 'out_of_service').length,
          points: snapshot,
        },
        alarmJournal: journal.stats(),
        memory: process.memoryUsage(),
      };
    },
    readiness,
    config: () => config,
    configVersion: () => configVersion,
    engine: () => engine,
    downlink,
    idle: () => queue,
  };
}

function limitsOf(config: SiteConfig): BufferLimits {
  const b = config.buffer;
  return { maxBytes: b.maxBytes, maxAgeMs: b.maxAgeMs, maxReadingsPerBatch: b.maxReadingsPerBatch, maxBatchBytes: b.maxBatchBytes, maxPendingReadings: b.maxPendingReadings };
}

/** Poll interval per polled tag (subscribed OPC-UA tags have none). */
function pollIntervalsOf(devices: readonly DeviceConfig[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of devices) {
    for (const t of d.tags) {
      const interval = t.pollIntervalMs ?? (d.protocol === 'opcua' ? undefined : d.pollIntervalMs);
      if (interval !== undefined) out.set(t.name, interval);
    }
  }
  return out;
}

function tryJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

function parseJson<T>(payload: Buffer, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | null {
  const r = schema.safeParse(tryJson(payload));
  return r.success ? r.data : null;
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
