import net from 'node:net';
import ModbusRTU from 'modbus-serial';
import type { SerialLineConfig } from '@dcmms/shared';
import type { ReadFunctionCode } from './points.js';

/**
 * One connection to Modbus slaves (a TCP socket, or a serial line shared by several unit
 * ids), framed by modbus-serial. Every request settles: with the reply, an exception, a
 * timeout, or `connection lost` the moment the connection drops (modbus-serial would
 * otherwise leave it to its timer).
 */
export type ReadReply = { readonly registers: Uint8Array } | { readonly bits: readonly boolean[] };

export class ModbusRequestError extends Error {
  override readonly name = 'ModbusRequestError';
  constructor(
    /** `timeout`, `exception:2`, `malformed: CRC error`, `connection lost` */
    readonly reason: string,
    readonly kind: 'timeout' | 'exception' | 'malformed' | 'connection',
  ) {
    super(reason);
  }
}

export interface ModbusLink {
  readonly id: string;
  isOpen(): boolean;
  /** Resolves once open; rejects with the reason (ECONNREFUSED, timeout...). */
  open(connectTimeoutMs: number): Promise<void>;
  close(): Promise<void>;
  read(unitId: number, fc: ReadFunctionCode, address: number, count: number, timeoutMs: number): Promise<ReadReply>;
  writeCoil(unitId: number, address: number, value: boolean, timeoutMs: number): Promise<void>;
  writeRegisters(unitId: number, address: number, values: readonly number[], timeoutMs: number): Promise<void>;
  /** Called once per loss of an open connection. */
  onClose(listener: (reason: string) => void): () => void;
}

type Callback = (err: unknown, res?: { data?: unknown; buffer?: Buffer }) => void;
interface Client {
  isOpen: boolean;
  setTimeout(ms: number): void;
  linkTCP(socket: net.Socket, options: object, next: (err?: unknown) => void): void;
  connectRTUBuffered(path: string, options: object, next: (err?: unknown) => void): void;
  close(cb: () => void): void;
  on(event: 'close' | 'error', cb: (e?: unknown) => void): void;
  writeFC1(unit: number, address: number, length: number, next: Callback): void;
  writeFC2(unit: number, address: number, length: number, next: Callback): void;
  writeFC3(unit: number, address: number, length: number, next: Callback): void;
  writeFC4(unit: number, address: number, length: number, next: Callback): void;
  writeFC5(unit: number, address: number, state: boolean, next: Callback): void;
  writeFC6(unit: number, address: number, value: number, next: Callback): void;
  writeFC16(unit: number, address: number, values: number[], next: Callback): void;
}

/** modbus-serial's errors -> our reasons. */
export function classify(err: unknown): ModbusRequestError {
  if (err instanceof ModbusRequestError) return err;
  const e = err as { modbusCode?: number; errno?: string; name?: string; message?: string } | undefined;
  if (typeof e?.modbusCode === 'number') return new ModbusRequestError(`exception:${e.modbusCode}`, 'exception');
  if (e?.name === 'TransactionTimedOutError' || e?.errno === 'ETIMEDOUT') return new ModbusRequestError('timeout', 'timeout');
  if (e?.name === 'PortNotOpenError' || e?.errno === 'ECONNREFUSED') return new ModbusRequestError('connection lost', 'connection');
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const msg = (e?.message ?? String(err)).replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 120);
  return new ModbusRequestError(`malformed: ${msg}`, 'malformed');
}

abstract class BaseLink implements ModbusLink {
  protected client: Client | undefined;
  private readonly pending = new Set<(err: ModbusRequestError) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private timeoutMs = -1;
  constructor(readonly id: string) {}

  isOpen(): boolean {
    return this.client?.isOpen === true;
  }
  abstract open(connectTimeoutMs: number): Promise<void>;

  protected lost(reason: string): void {
    if (!this.client) return;
    this.client = undefined;
    const err = new ModbusRequestError('connection lost', 'connection');
    for (const reject of this.pending) reject(err);
    this.pending.clear();
    for (const l of this.closeListeners) l(reason);
  }

  async close(): Promise<void> {
    const c = this.client;
    if (!c) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      c.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
    this.lost('closed');
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private call<T>(timeoutMs: number, issue: (c: Client, cb: Callback) => void, map: (res: { data?: unknown; buffer?: Buffer }) => T): Promise<T> {
    const c = this.client;
    if (!c || !c.isOpen) return Promise.reject(new ModbusRequestError('connection lost', 'connection'));
    if (timeoutMs !== this.timeoutMs) {
      c.setTimeout(timeoutMs);
      this.timeoutMs = timeoutMs;
    }
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const settle = (err: ModbusRequestError | null, value?: T): void => {
        if (done) return;
        done = true;
        this.pending.delete(fail);
        if (err) reject(err);
        else resolve(value as T);
      };
      const fail = (err: ModbusRequestError): void => settle(err);
      this.pending.add(fail);
      try {
        issue(c, (err, res) => {
          if (err) return settle(classify(err));
          try {
            settle(null, map(res ?? {}));
          } catch (mapErr) {
            settle(classify(mapErr));
          }
        });
      } catch (err) {
        settle(classify(err));
      }
    });
  }

  read(unitId: number, fc: ReadFunctionCode, address: number, count: number, timeoutMs: number): Promise<ReadReply> {
    return this.call(
      timeoutMs,
      (c, cb) => {
        if (fc === 1) c.writeFC1(unitId, address, count, cb);
        else if (fc === 2) c.writeFC2(unitId, address, count, cb);
        else if (fc === 3) c.writeFC3(unitId, address, count, cb);
        else c.writeFC4(unitId, address, count, cb);
      },
      (res): ReadReply => {
        if (fc <= 2) {
          const bits = res.data as boolean[] | undefined;
          const bytes = Math.ceil(count / 8);
          // modbus-serial trusts the reply's byte count; a wrong one must not pass as data.
          if (!Array.isArray(bits) || bits.length < count || res.buffer?.length !== bytes) throw new Error(`expected ${bytes} bytes of bits, got ${res.buffer?.length ?? 0}`);
          return { bits };
        }
        const buf = res.buffer;
        if (!buf || buf.length !== count * 2) throw new Error(`expected ${count * 2} bytes, got ${buf?.length ?? 0}`);
        return { registers: buf };
      },
    );
  }

  writeCoil(unitId: number, address: number, value: boolean, timeoutMs: number): Promise<void> {
    return this.call(timeoutMs, (c, cb) => c.writeFC5(unitId, address, value, cb), () => undefined);
  }

  writeRegisters(unitId: number, address: number, values: readonly number[], timeoutMs: number): Promise<void> {
    return this.call(
      timeoutMs,
      (c, cb) => (values.length === 1 ? c.writeFC6(unitId, address, values[0]!, cb) : c.writeFC16(unitId, address, [...values], cb)),
      () => undefined,
    );
  }
}

const newClient = (): Client => new (ModbusRTU as unknown as new () => Client)();

export class TcpLink extends BaseLink {
  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    super(`tcp://${host}:${port}`);
  }

  open(connectTimeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new net.Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ModbusRequestError('connect timeout', 'connection'));
      }, connectTimeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ModbusRequestError(err.code ?? err.message, 'connection'));
      });
      socket.connect({ host: this.host, port: this.port }, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 10_000);
        const client = newClient();
        client.linkTCP(socket, {}, (err) => {
          if (err) {
            socket.destroy();
            reject(classify(err));
            return;
          }
          this.client = client;
          socket.on('error', () => undefined); // 'close' follows and is what we act on
          socket.once('close', () => this.lost('connection lost'));
          resolve();
        });
      });
    });
  }
}

export class SerialLink extends BaseLink {
  constructor(private readonly line: SerialLineConfig) {
    super(`serial:${line.path}`);
  }

  open(connectTimeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const client = newClient();
      const timer = setTimeout(() => reject(new ModbusRequestError('open timeout', 'connection')), connectTimeoutMs);
      client.connectRTUBuffered(
        this.line.path,
        { baudRate: this.line.baudRate, parity: this.line.parity, dataBits: this.line.dataBits, stopBits: this.line.stopBits },
        (err) => {
          clearTimeout(timer);
          if (err) {
            reject(new ModbusRequestError((err as Error).message ?? String(err), 'connection'));
            return;
          }
          this.client = client;
          client.on('close', () => this.lost('serial line closed'));
          client.on('error', () => undefined);
          resolve();
        },
      );
    });
  }
}
