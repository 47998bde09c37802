import net from 'node:net';
import { systemClock, type Clock, type Logger } from '@dcmms/shared';
import { SerialPort } from 'serialport';
import { AdapterError } from '../errors.js';
import { crc16 } from '../modbus/crc.js';
import { getProfile, type ProfileName, type SimProfile } from './profiles.js';
import { createRegisterImage, type RegisterImage } from './register-image.js';

/**
 * A Modbus slave simulator: TCP (MBAP) on a port, or RTU on a serial path (a socat pty in
 * tests). It speaks the protocol itself rather than through a library so that the fault
 * knobs can break it at the frame level: exceptions, slow or missing answers, garbage,
 * wrong lengths, wrong transaction ids, dropped connections, restarts and frozen values.
 */
export interface SimUnit {
  readonly unitId: number;
  readonly profile: ProfileName | SimProfile;
  readonly seed?: number;
}

export interface ModbusSimulatorOptions {
  readonly profile?: ProfileName | SimProfile;
  readonly seed?: number;
  /** Slaves behind this endpoint (RTU line or TCP gateway). Default: one slave answering any unit id. */
  readonly units?: readonly SimUnit[];
  readonly clock?: Clock;
  readonly host?: string;
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  readonly logger?: Logger;
}

export type GarbageMode = 'none' | 'random' | 'wrong-length' | 'wrong-transaction' | 'wrong-unit' | 'truncated';

/** Live fault knobs; change them at any time. */
export interface ModbusFaults {
  /** Answer every request with this exception code (1..11), or null. */
  exceptionCode: number | null;
  /** Delay every answer by this many ms. */
  delayMs: number;
  /** Never answer (the client times out). */
  silent: boolean;
  garbage: GarbageMode;
}

export interface ModbusSimulator {
  readonly host: string;
  /** The TCP port (after listen) or 0 for RTU. */
  readonly port: number;
  readonly faults: ModbusFaults;
  /** Requests received, answered or not. */
  requests(): number;
  /** Most requests received and not yet answered at one time (how much a client pipelines). */
  peakInFlight(): number;
  /** Arrival times (ms, performance.now()) of the last 1,000 requests. */
  arrivals(): readonly number[];
  connections(): number;
  /** Values stop changing (the device's internal update halts) until unfrozen. */
  freeze(on: boolean): void;
  /** Drops every open TCP connection (the client sees a reset). */
  dropConnections(): void;
  /** Closes the listener and connections, waits `downMs`, listens again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Slave {
  readonly image: RegisterImage;
  readonly stepMs: number;
}

function buildSlaves(options: ModbusSimulatorOptions): { any: Slave | undefined; byUnit: Map<number, Slave> } {
  const make = (profile: ProfileName | SimProfile, seed: number): Slave => {
    const p = typeof profile === 'string' ? getProfile(profile) : profile;
    return { image: createRegisterImage(p, seed), stepMs: p.stepMs };
  };
  const byUnit = new Map<number, Slave>();
  for (const u of options.units ?? []) byUnit.set(u.unitId, make(u.profile, u.seed ?? options.seed ?? 1));
  const any = options.units ? undefined : make(options.profile ?? 'pv-inverter', options.seed ?? 1);
  return { any, byUnit };
}

/** Shared request handling: PDU in, PDU out (or null when the unit is not ours). */
function createHandler(options: ModbusSimulatorOptions, faults: ModbusFaults, frozen: { at: number | null }) {
  const { any, byUnit } = buildSlaves(options);
  const clock = options.clock ?? systemClock;
  return (unit: number, pdu: Buffer): Buffer | null => {
    const slave = byUnit.get(unit) ?? any;
    if (!slave) return null;
    const fc = pdu[0] ?? 0;
    const ex = (code: number): Buffer => Buffer.from([fc | 0x80, code]);
    if (faults.exceptionCode !== null) return ex(faults.exceptionCode);
    if (pdu.length < 5) return ex(3);
    const address = pdu.readUInt16BE(1);
    const step = Math.floor((frozen.at ?? clock.now()) / slave.stepMs);
    switch (fc) {
      case 1:
      case 2:
      case 3:
      case 4: {
        const count = pdu.readUInt16BE(3);
        const kind = fc === 1 ? 'coil' : fc === 2 ? 'discrete' : fc === 3 ? 'holding' : 'input';
        let r: ReturnType<RegisterImage['read']>;
        try {
          r = slave.image.read(kind, address, count, step);
        } catch {
          return ex(4); // server device failure: a model bug must not take the simulator down
        }
        if (!r.ok) return ex(r.exception);
        if ('bits' in r) {
          const bytes = Buffer.alloc(Math.ceil(r.bits.length / 8));
          r.bits.forEach((b, i) => {
            if (b) bytes[i >> 3]! |= 1 << (i & 7);
          });
          return Buffer.concat([Buffer.from([fc, bytes.length]), bytes]);
        }
        const out = Buffer.alloc(2 + r.words.length * 2);
        out[0] = fc;
        out[1] = r.words.length * 2;
        r.words.forEach((w, i) => out.writeUInt16BE(w, 2 + 2 * i));
        return out;
      }
      case 5: {
        const v = pdu.readUInt16BE(3);
        if (v !== 0xff00 && v !== 0) return ex(3);
        const code = slave.image.write('coil', address, [v === 0xff00]);
        return code ? ex(code) : Buffer.from(pdu.subarray(0, 5));
      }
      case 6: {
        const code = slave.image.write('holding', address, [pdu.readUInt16BE(3)]);
        return code ? ex(code) : Buffer.from(pdu.subarray(0, 5));
      }
      case 15:
      case 16: {
        const count = pdu.readUInt16BE(3);
        const byteCount = pdu[5] ?? 0;
        if (pdu.length < 6 + byteCount || count < 1) return ex(3);
        const data = pdu.subarray(6, 6 + byteCount);
        let code: number;
        if (fc === 15) {
          if (byteCount !== Math.ceil(count / 8)) return ex(3);
          code = slave.image.write('coil', address, Array.from({ length: count }, (_, i) => ((data[i >> 3]! >> (i & 7)) & 1) === 1));
        } else {
          if (byteCount !== count * 2) return ex(3);
          code = slave.image.write('holding', address, Array.from({ length: count }, (_, i) => data.readUInt16BE(2 * i)));
        }
        return code ? ex(code) : Buffer.from(pdu.subarray(0, 5));
      }
      default:
        return ex(1);
    }
  };
}

const defaultFaults = (): ModbusFaults => ({ exceptionCode: null, delayMs: 0, silent: false, garbage: 'none' });

/** Starts a Modbus TCP simulator; resolves once listening (on port 0 unless given). */
export async function startModbusSimulator(options: ModbusSimulatorOptions = {}): Promise<ModbusSimulator> {
  const faults = defaultFaults();
  const frozen = { at: null as number | null };
  const clock = options.clock ?? systemClock;
  const handle = createHandler(options, faults, frozen);
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  let requests = 0;
  let port = options.port ?? 0;
  let stopped = false;
  let inFlight = 0;
  let peak = 0;
  const arrivals: number[] = [];

  const onConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 7) {
        const len = pending.readUInt16BE(4);
        if (len < 2 || len > 254 || pending.readUInt16BE(2) !== 0) {
          socket.destroy(); // not Modbus: a real device drops the connection
          return;
        }
        if (pending.length < 6 + len) break;
        const frame = pending.subarray(0, 6 + len);
        pending = pending.subarray(6 + len);
        requests++;
        arrivals.push(performance.now());
        if (arrivals.length > 1000) arrivals.shift();
        const tid = frame.readUInt16BE(0);
        const unit = frame[6]!;
        const reply = handle(unit, Buffer.from(frame.subarray(7)));
        if (!reply || faults.silent) continue;
        peak = Math.max(peak, ++inFlight);
        const send = (): void => {
          inFlight--;
          if (socket.destroyed) return;
          socket.write(frameTcp(tid, unit, reply, faults.garbage));
        };
        if (faults.delayMs > 0) setTimeout(send, faults.delayMs);
        else send();
      }
    });
  };

  let server = net.createServer(onConnection);
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', (err) => reject(new AdapterError('DCMMS_SIM_FAILED', `cannot listen on ${host}:${port}: ${err.message}`, { cause: err })));
      server.listen(port, host, () => {
        port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen();
  options.logger?.info({ host, port }, 'modbus simulator listening');

  return {
    host,
    get port() {
      return port;
    },
    faults,
    requests: () => requests,
    peakInFlight: () => peak,
    arrivals: () => arrivals,
    connections: () => sockets.size,
    freeze(on) {
      frozen.at = on ? clock.now() : null;
    },
    dropConnections() {
      for (const s of sockets) s.resetAndDestroy();
    },
    async restart(downMs = 200) {
      await close();
      await new Promise((r) => setTimeout(r, downMs));
      if (stopped) return;
      server = net.createServer(onConnection);
      await listen();
    },
    async stop() {
      stopped = true;
      await close();
    },
  };
}

function frameTcp(tid: number, unit: number, pdu: Buffer, garbage: GarbageMode): Buffer {
  const out = Buffer.alloc(7 + pdu.length);
  out.writeUInt16BE(garbage === 'wrong-transaction' ? (tid + 1) & 0xffff : tid, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt16BE(1 + pdu.length, 4);
  out[6] = garbage === 'wrong-unit' ? (unit + 1) & 0xff : unit;
  pdu.copy(out, 7);
  switch (garbage) {
    case 'random':
      // Deterministic noise with a sane MBAP length, so framing holds but the PDU is nonsense.
      for (let i = 7; i < out.length; i++) out[i] = (i * 73 + 41) & 0xff;
      return out;
    case 'wrong-length':
      // The byte count says one register more than the frame carries.
      if (out.length > 8) out[8] = out[8]! + 2;
      return out;
    case 'truncated': {
      const cut = out.subarray(0, Math.max(9, out.length - 3));
      cut.writeUInt16BE(cut.length - 6, 4);
      return cut;
    }
    default:
      return out;
  }
}

// ---------------------------------------------------------------------------------------
// RTU over a serial path

export interface RtuSimulatorOptions extends Omit<ModbusSimulatorOptions, 'host' | 'port'> {
  readonly path: string;
  readonly baudRate?: number;
  readonly parity?: 'none' | 'even' | 'odd';
  readonly dataBits?: 7 | 8;
  readonly stopBits?: 1 | 2;
}

/** Request frame length for the function codes we serve, or -1 when more bytes are needed / unknown. */
function rtuFrameLength(buf: Buffer): number {
  if (buf.length < 2) return -1;
  const fc = buf[1]!;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length < 7 ? -1 : 9 + buf[6]!;
  return 0; // unknown: resynchronise
}

export async function startRtuSimulator(options: RtuSimulatorOptions): Promise<ModbusSimulator> {
  const faults = defaultFaults();
  const frozen = { at: null as number | null };
  const clock = options.clock ?? systemClock;
  const handle = createHandler(options, faults, frozen);
  let requests = 0;
  let pending = Buffer.alloc(0);
  let lastByteAt = 0;
  const open = (): Promise<SerialPort> =>
    new Promise((resolve, reject) => {
      const port: SerialPort = new SerialPort(
        { path: options.path, baudRate: options.baudRate ?? 9600, parity: options.parity ?? 'even', dataBits: options.dataBits ?? 8, stopBits: options.stopBits ?? 1 },
        (err) => (err ? reject(new AdapterError('DCMMS_SIM_FAILED', `cannot open ${options.path}: ${err.message}`, { cause: err })) : resolve(port)),
      );
    });
  let port = await open();
  const wire = (p: SerialPort): void => {
    p.on('error', () => undefined);
    p.on('data', (chunk: Buffer) => {
      const now = Date.now();
      // A silence longer than a frame gap starts a new frame (3.5 characters; generous here).
      if (now - lastByteAt > 50) pending = Buffer.alloc(0);
      lastByteAt = now;
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const len = rtuFrameLength(pending);
        if (len === 0) {
          pending = Buffer.alloc(0);
          return;
        }
        if (len < 0 || pending.length < len) return;
        const frame = pending.subarray(0, len);
        pending = pending.subarray(len);
        if (crc16(frame.subarray(0, len - 2)) !== frame.readUInt16LE(len - 2)) continue; // a slave ignores bad frames
        requests++;
        const unit = frame[0]!;
        const reply = handle(unit, Buffer.from(frame.subarray(1, len - 2)));
        if (!reply || faults.silent) continue;
        const body = Buffer.concat([Buffer.from([unit]), reply]);
        const out = Buffer.concat([body, Buffer.alloc(2)]);
        out.writeUInt16LE(crc16(body), body.length);
        if (faults.garbage === 'random') out[out.length - 1] = out[out.length - 1]! ^ 0x5a; // bad CRC
        const send = (): void => {
          if (port.isOpen) port.write(out);
        };
        if (faults.delayMs > 0) setTimeout(send, faults.delayMs);
        else send();
      }
    });
  };
  wire(port);
  const closePort = (): Promise<void> => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  return {
    host: options.path,
    port: 0,
    faults,
    requests: () => requests,
    peakInFlight: () => 1,
    arrivals: () => [],
    connections: () => (port.isOpen ? 1 : 0),
    freeze(on) {
      frozen.at = on ? clock.now() : null;
    },
    dropConnections() {
      pending = Buffer.alloc(0);
    },
    async restart(downMs = 200) {
      await closePort();
      await new Promise((r) => setTimeout(r, downMs));
      port = await open();
      wire(port);
    },
    stop: closePort,
  };
}
