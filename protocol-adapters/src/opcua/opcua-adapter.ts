import {
  AttributeIds,
  ClientMonitoredItemGroup,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  DeadbandType,
  StatusCodes,
  TimestampsToReturn,
  Variant,
  type ClientMonitoredItemBase,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
} from 'node-opcua';
import { describeError, silentLogger, systemClock, type OpcuaDeviceConfig, type OpcuaTagConfig, type Reading } from '@dcmms/shared';
import type { AdapterSink, DeviceAdapter, DeviceConnectionState } from '../adapter.js';
import { backoffDelay } from '../backoff.js';
import { AdapterError } from '../errors.js';
import type { AdapterDeps } from '../modbus/modbus-adapter.js';
import { zeroCounters } from '../modbus/modbus-adapter.js';
import { createPollScheduler, type PollScheduler } from '../poll-scheduler.js';
import { createScaler, unscale, type Scaler } from '../scaling.js';
import { openSession, type OpenedSession } from './connection.js';
import { readingOf, statusName } from './data-value.js';

interface Item {
  readonly tag: OpcuaTagConfig;
  readonly scaler: Scaler;
}

/** Reads are sent in chunks: servers cap the nodes per request (MaxNodesPerRead). */
const READ_CHUNK = 500;
/** Monitored items created per CreateMonitoredItems request. */
const MONITOR_CHUNK = 500;

export function createOpcuaAdapter(config: OpcuaDeviceConfig, deps: AdapterDeps = {}): DeviceAdapter {
  const clock = deps.clock ?? systemClock;
  const log = (deps.logger ?? silentLogger).child({ device: config.name, protocol: 'opcua' });
  const random = deps.random ?? Math.random;
  const items: Item[] = config.tags.map((tag) => ({ tag, scaler: createScaler(tag.scale, tag.offset) }));
  const byName = new Map(items.map((i) => [i.tag.name, i]));
  const polled = items.filter((i) => i.tag.pollIntervalMs !== undefined);
  const subscribed = items.filter((i) => i.tag.pollIntervalMs === undefined);
  const connectOptions = {
    endpoint: config.endpoint,
    securityMode: config.securityMode,
    securityPolicy: config.securityPolicy,
    ...(config.pkiFolder ? { pkiFolder: config.pkiFolder } : {}),
    trustOnFirstUse: config.trustOnFirstUse,
    auth: config.auth,
    connectTimeoutMs: config.connectTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    applicationName: `dcmms-edge-${config.name}`,
  };

  const counters = zeroCounters();
  let state: DeviceConnectionState = 'disconnected';
  let sink: AdapterSink | undefined;
  let running = false;
  let attempt = 0;
  let lastReason = 'not connected';
  let reconnectTimer: NodeJS.Timeout | undefined;
  let scheduler: PollScheduler | undefined;
  let opened: OpenedSession | undefined;
  let session: ClientSession | undefined;
  let subscription: ClientSubscription | undefined;
  /** Bumped on every (re)connection so callbacks of a dead session are ignored. */
  let generation = 0;

  const setState = (next: DeviceConnectionState, reason?: string): void => {
    if (next === state) return;
    state = next;
    log.info({ state: next, reason }, 'device connection state');
    sink?.state({ device: config.name, state: next, ts: clock.now(), ...(reason ? { reason } : {}) });
  };

  // Notifications arrive one item at a time; hand them to the sink in batches.
  let pending: Reading[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    deliver(batch);
  };
  const push = (r: Reading): void => {
    pending.push(r);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  const deliver = (readings: Reading[]): void => {
    counters.readings += readings.length;
    if (!sink || readings.length === 0) return;
    try {
      sink.readings(config.name, readings);
    } catch (err) {
      log.error({ err: describeError(err) }, 'sink threw; readings dropped');
    }
  };

  const teardown = async (): Promise<void> => {
    generation++;
    const o = opened;
    const sub = subscription;
    opened = undefined;
    session = undefined;
    subscription = undefined;
    if (sub) await sub.terminate().catch(() => undefined);
    if (o) await o.close();
  };

  const lost = (gen: number, reason: string): void => {
    if (gen !== generation || !running) return;
    lastReason = reason;
    log.warn({ reason }, 'connection lost');
    setState('disconnected', reason);
    void teardown().then(scheduleReconnect);
  };

  const scheduleReconnect = (): void => {
    if (!running || reconnectTimer) return;
    const delay = backoffDelay(attempt++, config.backoff, random);
    counters.reconnects++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
  };

  const monitor = async (sub: ClientSubscription, gen: number): Promise<void> => {
    // One group per distinct set of monitoring parameters.
    const groups = new Map<string, Item[]>();
    for (const i of subscribed) {
      const m = i.tag.subscription ?? {};
      const key = JSON.stringify([m.samplingIntervalMs ?? config.subscription.samplingIntervalMs, m.queueSize ?? config.subscription.queueSize, m.deadband ?? null]);
      const g = groups.get(key) ?? [];
      g.push(i);
      groups.set(key, g);
    }
    for (const [key, group] of groups) {
      const [samplingInterval, queueSize, deadband] = JSON.parse(key) as [number, number, { type: 'absolute' | 'percent'; value: number } | null];
      const filter = deadband
        ? new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
            deadbandValue: deadband.value,
          })
        : null;
      for (let k = 0; k < group.length; k += MONITOR_CHUNK) {
        const chunk = group.slice(k, k + MONITOR_CHUNK);
        const g = ClientMonitoredItemGroup.create(
          sub,
          chunk.map((i) => ({ nodeId: i.tag.nodeId, attributeId: AttributeIds.Value })),
          { samplingInterval, queueSize, discardOldest: true, filter },
          TimestampsToReturn.Both,
        );
        await new Promise<void>((resolve) => {
          g.once('initialized', () => resolve());
          g.once('err', () => resolve());
          g.once('terminated', () => resolve());
        });
        g.on('changed', (_mi: ClientMonitoredItemBase, dv: DataValue, index: number) => {
          if (gen !== generation) return;
          counters.responses++;
          const item = chunk[index];
          if (item) push(readingOf(item.tag.name, dv, item.scaler, clock.now()));
        });
        g.monitoredItems.forEach((mi, index) => {
          const status = mi.statusCode;
          if (!status || status.isGood()) return;
          const item = chunk[index]!;
          counters.deviceErrors++;
          let reason = statusName(status);
          if (status.value === StatusCodes.BadMonitoredItemFilterUnsupported.value || status.value === StatusCodes.BadFilterNotAllowed.value) {
            reason = `${reason}: ${deadband?.type ?? ''} deadband refused by the server (a percent deadband needs an analog item with an EU range)`;
            log.error({ tag: item.tag.name, nodeId: item.tag.nodeId, status: statusName(status), code: 'DCMMS_OPCUA_FILTER_UNSUPPORTED' }, 'monitored item filter refused');
          } else log.error({ tag: item.tag.name, nodeId: item.tag.nodeId, status: statusName(status) }, 'monitored item refused');
          push({ tag: item.tag.name, ts: clock.now(), value: null, quality: 'bad', reason: reason.slice(0, 256) });
        });
      }
    }
  };

  const connect = async (): Promise<void> => {
    if (!running) return;
    setState('connecting');
    const gen = ++generation;
    try {
      const o = await openSession(connectOptions);
      if (!running || gen !== generation) {
        await o.close();
        return;
      }
      opened = o;
      session = o.session;
      const client = o.client;
      client.on('connection_lost', () => lost(gen, 'connection lost'));
      client.on('close', () => lost(gen, 'connection closed'));
      client.on('backoff', () => lost(gen, 'connection lost'));
      session.on('session_closed', () => lost(gen, 'session closed'));
      session.on('keepalive_failure', () => lost(gen, 'keepalive failure'));
      if (subscribed.length) {
        const sub = await session.createSubscription2({
          requestedPublishingInterval: config.subscription.publishingIntervalMs,
          requestedLifetimeCount: config.subscription.lifetimeCount,
          requestedMaxKeepAliveCount: config.subscription.maxKeepAliveCount,
          maxNotificationsPerPublish: config.subscription.maxNotificationsPerPublish,
          publishingEnabled: true,
          priority: 10,
        });
        subscription = sub;
        sub.on('terminated', () => lost(gen, 'subscription terminated'));
        await monitor(sub, gen);
      }
      if (gen !== generation) return;
      attempt = 0;
      setState('connected');
    } catch (err) {
      if (gen !== generation) return;
      lastReason = describeError(err).split('\n')[0]!.slice(0, 200);
      log.warn({ reason: lastReason, attempt, code: (err as { code?: string }).code }, 'connect failed');
      setState('disconnected', lastReason);
      await teardown();
      scheduleReconnect();
    }
  };

  const readItems = async (list: readonly Item[]): Promise<Reading[]> => {
    const s = session;
    if (!s) return list.map((i) => ({ tag: i.tag.name, ts: clock.now(), value: null, quality: 'bad', reason: `disconnected: ${lastReason}` }));
    const out: Reading[] = [];
    for (let k = 0; k < list.length; k += READ_CHUNK) {
      const chunk = list.slice(k, k + READ_CHUNK);
      const started = performance.now();
      counters.requests++;
      try {
        const dvs = await s.read(
          chunk.map((i) => ({ nodeId: i.tag.nodeId, attributeId: AttributeIds.Value })),
          0,
        );
        counters.responses++;
        counters.latencyMsSum += performance.now() - started;
        counters.latencyCount++;
        const now = clock.now();
        dvs.forEach((dv, idx) => {
          const r = readingOf(chunk[idx]!.tag.name, dv, chunk[idx]!.scaler, now);
          if (r.quality !== 'good') counters.deviceErrors++;
          out.push(r);
        });
      } catch (err) {
        const reason = /timeout|timed out/i.test(describeError(err)) ? 'timeout' : describeError(err).split('\n')[0]!.slice(0, 200);
        if (reason === 'timeout') counters.timeouts++;
        const now = clock.now();
        for (const i of chunk) out.push({ tag: i.tag.name, ts: now, value: null, quality: 'bad', reason });
      }
    }
    return out;
  };

  return {
    device: config.name,
    async start(s) {
      if (running) return;
      running = true;
      sink = s;
      if (polled.length) {
        scheduler = createPollScheduler({
          intervals: polled.map((i) => i.tag.pollIntervalMs!),
          clock,
          onCycle: async (intervals) => {
            if (state === 'connecting') return;
            const set = new Set(intervals);
            deliver(await readItems(polled.filter((i) => set.has(i.tag.pollIntervalMs!))));
          },
          onMissed: (_i, n) => {
            counters.missedCycles += n;
          },
        });
        scheduler.start();
      }
      void connect();
    },
    async stop() {
      running = false;
      scheduler?.stop();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      await teardown();
      setState('disconnected', 'stopped');
      if (pending.length) flush();
      sink = undefined;
    },
    state: () => state,
    counters: () => ({ ...counters }),
    async readOnce() {
      if (session) return readItems(items);
      // Outside start(): a session of its own for this one read (the CLI's `read`).
      let once: OpenedSession;
      try {
        once = await openSession(connectOptions);
      } catch (err) {
        const reason = `disconnected: ${describeError(err).split('\n')[0]!.slice(0, 200)}`;
        return items.map((i) => ({ tag: i.tag.name, ts: clock.now(), value: null, quality: 'bad', reason }));
      }
      session = once.session;
      try {
        return await readItems(items);
      } finally {
        session = undefined;
        await once.close();
      }
    },
    async write(tagName, value) {
      const item = byName.get(tagName);
      if (!item) throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `device ${config.name} has no tag "${tagName}"`, { details: { tag: tagName } });
      if (!item.tag.writable) throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `tag "${tagName}" is not writable`, { details: { tag: tagName } });
      const s = session;
      if (!s) throw new AdapterError('DCMMS_ADAPTER_NOT_CONNECTED', `device ${config.name} is not connected: ${lastReason}`);
      // Write in the variable's own data type, as the server declares it.
      const dt = await s.read({ nodeId: item.tag.nodeId, attributeId: AttributeIds.DataType });
      const typeId = (dt.value.value as { value?: number } | null)?.value;
      const dataType = typeof typeId === 'number' && typeId in DataType ? (typeId as DataType) : typeof value === 'boolean' ? DataType.Boolean : DataType.Double;
      const raw = typeof value === 'number' ? unscale(value, item.tag.scale, item.tag.offset) : value;
      counters.requests++;
      const status = await s.write({ nodeId: item.tag.nodeId, attributeId: AttributeIds.Value, value: { value: new Variant({ dataType, value: raw }) } });
      if (!status.isGood())
        throw new AdapterError('DCMMS_ADAPTER_WRITE_FAILED', `write of "${tagName}" failed: ${statusName(status)}`, { details: { tag: tagName, reason: statusName(status) } });
      counters.responses++;
    },
  };
}
