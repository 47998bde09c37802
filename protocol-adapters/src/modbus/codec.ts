import type { ByteOrder, ModbusDataType } from '@dcmms/shared';
import { AdapterError } from '../errors.js';

/**
 * Register values <-> typed values. Pure, no I/O.
 *
 * Registers arrive big-endian (two bytes per register, as on the wire). A byte order names
 * where the bytes of the big-endian value `A B C D` land on the wire: ABCD as is, CDAB with
 * the words swapped, BADC with the bytes of each word swapped, DCBA both (little-endian).
 * 64-bit values extend the same rule to four words; 16-bit ones only see the byte swap.
 * Strings see the byte swap only (two characters per register, first character high byte).
 */
export const swapsBytes = (order: ByteOrder): boolean => order === 'BADC' || order === 'DCBA';
export const swapsWords = (order: ByteOrder): boolean => order === 'CDAB' || order === 'DCBA';

const scratch = new DataView(new ArrayBuffer(8));

/** Copies `words` registers from `buf` at `at` into the scratch view in big-endian value order. */
function normalise(buf: Uint8Array, at: number, words: number, order: ByteOrder): void {
  const byteSwap = swapsBytes(order);
  const wordSwap = swapsWords(order);
  for (let w = 0; w < words; w++) {
    const src = at + 2 * (wordSwap ? words - 1 - w : w);
    const hi = buf[src]!;
    const lo = buf[src + 1]!;
    scratch.setUint8(2 * w, byteSwap ? lo : hi);
    scratch.setUint8(2 * w + 1, byteSwap ? hi : lo);
  }
}

export type RawValue = number | boolean | string;

/** The raw (unscaled) value of a register-table tag whose first register is at byte `at` of `buf`. */
export function decodeRegisters(buf: Uint8Array, at: number, type: ModbusDataType, order: ByteOrder, length = 1, bit?: number): RawValue {
  switch (type) {
    case 'bool':
      normalise(buf, at, 1, order);
      return ((scratch.getUint16(0) >> (bit ?? 0)) & 1) === 1;
    case 'int16':
      normalise(buf, at, 1, order);
      return scratch.getInt16(0);
    case 'uint16':
      normalise(buf, at, 1, order);
      return scratch.getUint16(0);
    case 'int32':
      normalise(buf, at, 2, order);
      return scratch.getInt32(0);
    case 'uint32':
      normalise(buf, at, 2, order);
      return scratch.getUint32(0);
    case 'float32':
      normalise(buf, at, 2, order);
      return scratch.getFloat32(0);
    case 'int64':
      normalise(buf, at, 4, order);
      return Number(scratch.getBigInt64(0));
    case 'uint64':
      normalise(buf, at, 4, order);
      return Number(scratch.getBigUint64(0));
    case 'float64':
      normalise(buf, at, 4, order);
      return scratch.getFloat64(0);
    case 'string': {
      const byteSwap = swapsBytes(order);
      let out = '';
      for (let i = 0; i < length * 2; i++) {
        const j = at + (byteSwap ? i ^ 1 : i);
        const c = buf[j]!;
        if (c === 0) break;
        // Printable ASCII and Latin-1 only: control characters would break logs and ILP.
        out += c < 0x20 || c === 0x7f ? '\ufffd' : String.fromCharCode(c);
      }
      return out.replace(/ +$/, '');
    }
  }
}

/** Register values (0..65535 each, in wire order) for writing `raw` as `type`. */
export function encodeRegisters(raw: number | string, type: Exclude<ModbusDataType, 'bool'>, order: ByteOrder, length = 1): number[] {
  const words = type === 'string' ? length : type === 'int16' || type === 'uint16' ? 1 : type.endsWith('64') ? 4 : 2;
  if (type === 'string') {
    if (typeof raw !== 'string') throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', 'expected a string value');
    const bytes = new Uint8Array(words * 2);
    for (let i = 0; i < Math.min(raw.length, bytes.length); i++) bytes[i] = raw.charCodeAt(i) & 0xff;
    const out: number[] = [];
    for (let w = 0; w < words; w++) out.push(swapsBytes(order) ? bytes[2 * w]! | (bytes[2 * w + 1]! << 8) : (bytes[2 * w]! << 8) | bytes[2 * w + 1]!);
    return out;
  }
  if (typeof raw !== 'number' || Number.isNaN(raw) && !type.startsWith('float')) throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `expected a number for ${type}`);
  const range = INT_RANGES[type];
  if (range) {
    if (!Number.isInteger(raw)) throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `expected an integer for ${type}, got ${raw}`);
    if (raw < range[0] || raw > range[1]) throw new AdapterError('DCMMS_ADAPTER_WRITE_REFUSED', `${raw} is out of range for ${type} (${range[0]}..${range[1]})`);
  }
  const view = new DataView(new ArrayBuffer(8));
  switch (type) {
    case 'int16':
      view.setInt16(0, raw);
      break;
    case 'uint16':
      view.setUint16(0, raw);
      break;
    case 'int32':
      view.setInt32(0, raw);
      break;
    case 'uint32':
      view.setUint32(0, raw);
      break;
    case 'float32':
      view.setFloat32(0, raw);
      break;
    case 'int64':
      view.setBigInt64(0, BigInt(raw));
      break;
    case 'uint64':
      view.setBigUint64(0, BigInt(raw));
      break;
    case 'float64':
      view.setFloat64(0, raw);
      break;
  }
  const out: number[] = [];
  for (let w = 0; w < words; w++) {
    const src = swapsWords(order) ? words - 1 - w : w;
    const hi = view.getUint8(2 * src);
    const lo = view.getUint8(2 * src + 1);
    out.push(swapsBytes(order) ? (lo << 8) | hi : (hi << 8) | lo);
  }
  return out;
}

const INT_RANGES: Partial<Record<ModbusDataType, readonly [number, number]>> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};
