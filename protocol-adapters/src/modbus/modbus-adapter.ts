import { describeError, silentLogger, systemClock, type Clock, type Logger, type ModbusDeviceConfig, type Reading } from '@dcmms/shared';
import type { AdapterCounters, AdapterSink, DeviceAdapter, DeviceConnectionState } from '../adapter.js';
import { backoffDelay } from '../backoff.js';
import { AdapterError } from '../errors.js';
import { createGate, type Gate } from '../gate.js';
import { createPollScheduler, type PollScheduler } from '../poll-scheduler.js';
import { unscale } from '../scaling.js';
import { decodeRegisters, encodeRegisters } from './codec.js';
import { ModbusRequestError, TcpLink, type ModbusLink, type ReadReply } from './link.js';
import { planPerTag, planRequests, type PlannedRequest } from './planner.js';
import { resolvePoints, type ModbusPoint } from './points.js';
import { acquireSerialLine } from './serial-lines.js';

export interface AdapterDeps {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** For backoff jitter. */
  readonly random?: () => number;
}

export interface ModbusAdapterOptions extends AdapterDeps {
  /** Bench reference: one request per tag instead of the planner's merged requests. */
  readonly coalesce?: boolean;
}

/** Consecutive timeouts after which a TCP connection is presumed half-open and rebuilt. */
const TIMEOUTS_BEFORE_RECONNECT = 3;

type MutableCounters = { -readonly [K in keyof AdapterCounters]: AdapterCounters[K] };
export const zeroCounters = (): MutableCounters => ({
  requests: 0,
  responses: 0,
  timeouts: 0,
  deviceErrors: 0,
  malformed: 0,
  reconnects: 0,
  missedCycles: 0,
  readings: 0,
  latencyMsSum: 0,
  latencyCount: 0,
});

/** Readings of one request's reply: the tags' values, or `bad` for tags whose data is unusable. */
export function decodeReply(req: PlannedRequest, reply: ReadReply, ts: number): Reading[] {
  const out: Reading[] = [];
  for (const p of req.points) {
    const at = p.address - req.address;
    if ('bits' in reply) {
      out.push({ tag: p.tag.name, ts, value: reply.bits[at] === true, quality: 'good' });
      continue;
    }
    const raw = decodeRegisters(reply.registers, at * 2, p.tag.type, p.tag.byteOrder, p.tag.length, p.tag.bit);
    if (typeof raw !== 'number') {
      out.push({ tag: p.tag.name, ts, value: raw, quality: 'good' });
      continue;
    }
    const value = p.scaler(raw);
    // NaN and infinities are what the device said (sensor fault patterns): kept, but uncertain.
    if (Number.isFinite(value)) out.push({ tag: p.tag.name, ts, value, quality: 'good' });
    else out.push({ tag: p.tag.name, ts, value, quality: 'uncertain', reason: 'non-finite value' });
  }
  return out;
}

const badReadings = (points: readonly ModbusPoint[], ts: number, reason: string): Reading[] =>
  points.map((p) => ({ tag: p.tag.name, ts, value: null, quality: 'bad', reason }));

export function createModbusAdapter(config: ModbusDeviceConfig, options: ModbusAdapterOptions = {}): DeviceAdapter {
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? silentLogger).child({ device: config.name, protocol: config.protocol });
  const random = options.random ?? Math.random;
  const points = resolvePoints(config);
  const byName = new Map(points.map((p) => [p.tag.name, p]));
  const plan = (subset: readonly ModbusPoint[]): PlannedRequest[] => (options.coalesce === false ? planPerTag(subset) : planRequests(subset, config));
  const planCache = new Map<string, { points: ModbusPoint[]; requests: PlannedRequest[] }>();
  const planFor = (intervals: readonly number[]): { points: ModbusPoint[]; requests: PlannedRequest[] } => {
    const key = intervals.join(',');
    let p = planCache.get(key);
    if (!p) {
      const set = new Set(intervals);
      const subset = points.filter((x) => set.has(x.intervalMs));
      planCache.set(key, (p = { points: subset, requests: plan(subset) }));
    }
    return p;
  };
  const fullPlan = plan(points);

  // The connection: a TCP socket of our own, or a serial line shared with the other devices on it.
  let link: ModbusLink;
  let gate: Gate;
  let releaseLine: (() => void) | undefined;
  /** RTU: (re)joins the shared line; a stopped adapter that starts again rejoins it. */
  const joinLine = (): void => {
    if (config.protocol !== 'modbus-rtu' || releaseLine) return;
    const line = acquireSerialLine(config.serial, config.interRequestDelayMs);
    link = line.link;
    gate = line.gate;
    releaseLine = line.release;
  };
  if (config.protocol === 'modbus-tcp') {
    link = new TcpLink(config.host, config.port);
    gate = createGate(config.concurrency, config.interRequestDelayMs);
  } else {
    const line = acquireSerialLine(config.serial, config.interRequestDelayMs);
    link = line.link;
    gate = line.gate;
    releaseLine = line.release;
  }
  const connectTimeoutMs = config.protocol === 'modbus-tcp' ? config.connectTimeoutMs : config.timeoutMs * 3;

  const counters = zeroCounters();
  let state: DeviceConnectionState = 'disconnected';
  let sink: AdapterSink | undefined;
  let running = false;
  let scheduler: PollScheduler | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let consecutiveTimeouts = 0;
  let lastReason = 'not connected';
  let opening: Promise<void> | undefined;
  let unsubscribeClose: (() => void) | undefined;

  const setState = (next: DeviceConnectionState, reason?: string): void => {
    if (next === state) return;
    state = next;
    log.info({ state: next, reason }, 'device connection state');
    sink?.state({ device: config.name, state: next, ts: clock.now(), ...(reason ? { reason } : {}) });
  };

  const onLinkClosed = (reason: string): void => {
    lastReason = reason;
    if (!running) return;
    setState('disconnected', reason);
    scheduleReconnect();
  };

  const openOnce = (): Promise<void> => {
    if (link.isOpen()) return Promise.resolve();
    // Devices sharing a serial line share the opening too.
    opening ??= link.open(connectTimeoutMs).finally(() => (opening = undefined));
    return opening;
  };

  const connect = async (): Promise<void> => {
    reconnectTimer = undefined;
    if (!running) return;
    setState('connecting');
    try {
      await openOnce();
      if (!running) return;
      attempt = 0;
      consecutiveTimeouts = 0;
      unsubscribeClose?.();
      unsubscribeClose = link.onClose(onLinkClosed);
      setState('connected');
    } catch (err) {
      lastReason = err instanceof ModbusRequestError ? err.reason : describeError(err);
      log.warn({ reason: lastReason, attempt }, 'connect failed');
      setState('disconnected', lastReason);
      scheduleReconnect();
    }
  };

  const scheduleReconnect = (): void => {
    if (!running || reconnectTimer) return;
    const delay = backoffDelay(attempt++, config.backoff, random);
    counters.reconnects++;
    reconnectTimer = setTimeout(() => void connect(), delay);
  };

  /** One request with retries on timeout; its readings, good or bad. */
  const execute = async (req: PlannedRequest): Promise<Reading[]> => {
    for (let tryNo = 0; ; tryNo++) {
      if (!link.isOpen()) return badReadings(req.points, clock.now(), `disconnected: ${lastReason}`);
      const started = performance.now();
      counters.requests++;
      try {
        const reply = await gate.run(() => link.read(req.unitId, req.fc, req.address, req.count, config.timeoutMs));
        counters.responses++;
        counters.latencyMsSum += performance.now() - started;
        counters.latencyCount++;
        consecutiveTimeouts = 0;
        return decodeReply(req, reply, clock.now());
      } catch (err) {
        const e = err instanceof ModbusRequestError ? err : new ModbusRequestError(`malformed: ${describeError(err)}`, 'malformed');
        if (e.kind === 'timeout') {
          counters.timeouts++;
          consecutiveTimeouts++;
          if (tryNo < config.retries && link.isOpen()) continue;
          if (config.protocol === 'modbus-tcp' && consecutiveTimeouts >= TIMEOUTS_BEFORE_RECONNECT && link.isOpen()) {
            log.warn({ consecutiveTimeouts }, 'device stopped answering: reconnecting');
            consecutiveTimeouts = 0;
            void link.close();
          }
        } else if (e.kind === 'exception') counters.deviceErrors++;
        else if (e.kind === 'malformed') counters.malformed++;
        log.warn({ unitId: req.unitId, fc: req.fc, address: req.address, count: req.count, reason: e.reason }, 'modbus request failed');
        return badReadings(req.points, clock.now(), e.reason);
      }
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

  const cycle = async (intervals: readonly number[], at: number): Promise<void> => {
    const p = planFor(intervals);
    if (!link.isOpen()) {
      // While a connect attempt is under way, its outcome decides; after a failure, every cycle reports bad.
      if (state !== 'connecting') deliver(badReadings(p.points, at, `disconnected: ${lastReason}`));
      return;
    }
    await Promise.all(p.requests.map(async (req) => deliver(await execute(req))));
  };

  return {
    device: config.name,
    async start(s) {
      if (running) return;
      running = true;
      sink = s;
      joinLine();
      const intervals = [...new Set(points.map((p) => p.intervalMs))];
      scheduler = createPollScheduler({
        intervals,
        clock,
        onCycle: cycle,
        onMissed: (_interval, n) => {
          counters.missedCycles += n;
        },
      });
      void connect();
      scheduler.start();
    },
    async stop() {
      // Also after readOnce()/write() without start(): they may have opened the link.
      running = false;
      scheduler?.stop();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      unsubscribeClose?.();
      unsubscribeClose = undefined;
      // A serial line is shared: leave it (it closes with its last device); a socket is ours.
      if (config.protocol === 'modbus-rtu') {
        releaseLine?.();
        releaseLine = undefined;
      } else await link.close();
      if (state !== 'disconnected') setState('disconnected', 'stopped');
      sink = undefined;
    },
    state: () => state,
    counters: () => ({ ...counters }),
    async readOnce() {
      joinLine();
      if (!link.isOpen()) {
        try {
          await openOnce();
        } catch (err) {
          const reason = err instanceof ModbusRequestError ? err.reason : describeError(err);
          return badReadings(points, clock.now(), `disconnected: ${reason}`);
        }
      }
      const all = await Promise.all(fullPlan.map((req) => execute(req)));
      return all.flat();
    },
    async write(tagName, value) {
      const p = byName.get(tagName);
      if (!p) throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `device ${config.name} has no tag "${tagName}"`, { details: { tag: tagName } });
      if (!p.tag.writable) throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `tag "${tagName}" is not writable`, { details: { tag: tagName } });
      joinLine();
      if (!link.isOpen()) await openOnce().catch(() => undefined);
      if (!link.isOpen()) throw new AdapterError('DCMMS_ADAPTER_NOT_CONNECTED', `device ${config.name} is not connected: ${lastReason}`);
      const t = p.tag;
      const doWrite = async (): Promise<void> => {
        if (t.register === 'coil') {
          if (typeof value !== 'boolean') throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `tag "${tagName}" is a coil: expected true or false`);
          await gate.run(() => link.writeCoil(p.unitId, p.address, value, config.timeoutMs));
          return;
        }
        if (t.type === 'bool')
          // Setting one bit means read-modify-write of the whole register, racing the device.
          throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `tag "${tagName}" is a bit of a register: write the register instead`);
        if (typeof value !== 'number') throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `tag "${tagName}" expects a number`);
        const raw = unscale(value, t.scale, t.offset);
        const words = encodeRegisters(t.type.startsWith('float') ? raw : Math.round(raw), t.type as Exclude<typeof t.type, 'bool'>, t.byteOrder, t.length);
        await gate.run(() => link.writeRegisters(p.unitId, p.address, words, config.timeoutMs));
      };
      try {
        counters.requests++;
        await doWrite();
        counters.responses++;
      } catch (err) {
        if (err instanceof AdapterError) throw err;
        const e = err instanceof ModbusRequestError ? err : new ModbusRequestError(describeError(err), 'malformed');
        throw new AdapterError('DCMMS_ADAPTER_WRITE_FAILED', `write of "${tagName}" failed: ${e.reason}`, { details: { tag: tagName, reason: e.reason } });
      }
    },
  };
}
