import { isBitTable, type ModbusRegisterKind } from '@dcmms/shared';
import { encodeRegisters } from '../modbus/codec.js';
import type { SimPoint, SimProfile, SimValue } from './profiles.js';

/**
 * The register tables of one simulated slave, computed on demand from its profile, seed and
 * the time. Writable points keep what a client wrote. Pure apart from that write memory.
 */
export type ReadResult = { ok: true; words: number[] } | { ok: true; bits: boolean[] } | { ok: false; exception: number };

interface Table {
  /** Highest mapped address + 1: reads past it are illegal data addresses. */
  readonly end: number;
  /** address -> [point, word offset] of the whole value covering it. */
  readonly whole: Map<number, [SimPoint, number]>;
  /** address -> bit points living in that register. */
  readonly bits: Map<number, SimPoint[]>;
}

export interface RegisterImage {
  read(kind: ModbusRegisterKind, address: number, count: number, step: number): ReadResult;
  /** Writes registers (FC6/16) or coils (FC5/15). Returns an exception code, or 0. */
  write(kind: 'holding' | 'coil', address: number, values: readonly number[] | readonly boolean[]): number;
}

export function createRegisterImage(profile: SimProfile, seed: number): RegisterImage {
  const tables = new Map<ModbusRegisterKind, Table>();
  for (const kind of ['coil', 'discrete', 'holding', 'input'] as const) {
    const whole = new Map<number, [SimPoint, number]>();
    const bits = new Map<number, SimPoint[]>();
    let end = 0;
    for (const p of profile.points) {
      if (p.register !== kind) continue;
      const width = isBitTable(kind) ? 1 : widthOf(p);
      end = Math.max(end, p.address + width);
      if (p.type === 'bool' && !isBitTable(kind)) {
        const list = bits.get(p.address) ?? [];
        list.push(p);
        bits.set(p.address, list);
      } else for (let k = 0; k < width; k++) whole.set(p.address + k, [p, k]);
    }
    tables.set(kind, { end, whole, bits });
  }
  const written = new Map<SimPoint, SimValue>();
  const valueOf = (p: SimPoint, step: number): SimValue => written.get(p) ?? p.raw(step, seed);

  return {
    read(kind, address, count, step) {
      const table = tables.get(kind)!;
      const max = isBitTable(kind) ? 2000 : 125;
      if (count < 1 || count > max) return { ok: false, exception: 3 };
      if (address + count > table.end) return { ok: false, exception: 2 };
      const cache = new Map<SimPoint, number[]>();
      if (isBitTable(kind)) {
        const bits: boolean[] = [];
        for (let a = address; a < address + count; a++) {
          const hit = table.whole.get(a);
          bits.push(hit ? valueOf(hit[0], step) === true : false);
        }
        return { ok: true, bits };
      }
      const words: number[] = [];
      for (let a = address; a < address + count; a++) {
        const hit = table.whole.get(a);
        if (hit) {
          const [p, k] = hit;
          let enc = cache.get(p);
          if (!enc) cache.set(p, (enc = encodePoint(p, valueOf(p, step))));
          words.push(enc[k]!);
          continue;
        }
        let word = 0;
        for (const b of table.bits.get(a) ?? []) if (valueOf(b, step) === true) word |= 1 << (b.bit ?? 0);
        words.push(word);
      }
      return { ok: true, words };
    },
    write(kind, address, values) {
      const table = tables.get(kind)!;
      if (address + values.length > table.end) return 2;
      if (kind === 'coil') {
        for (let i = 0; i < values.length; i++) {
          const hit = table.whole.get(address + i);
          if (!hit || !hit[0].writable) return 2;
        }
        values.forEach((v, i) => written.set(table.whole.get(address + i)![0], v === true));
        return 0;
      }
      // Registers: every point touched must be writable and written whole.
      const touched = new Map<SimPoint, number[]>();
      for (let i = 0; i < values.length; i++) {
        const hit = table.whole.get(address + i);
        if (!hit || !hit[0].writable) return 2;
        const words = touched.get(hit[0]) ?? encodePoint(hit[0], valueOf(hit[0], 0));
        words[hit[1]] = values[i] as number;
        touched.set(hit[0], words);
      }
      for (const [p, words] of touched) written.set(p, decodePoint(p, words));
      return 0;
    },
  };
}

function widthOf(p: SimPoint): number {
  switch (p.type) {
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return p.length ?? 1;
    default:
      return 1;
  }
}

function encodePoint(p: SimPoint, value: SimValue): number[] {
  if (p.type === 'bool') return [value === true ? 1 : 0];
  return encodeRegisters(value as number | string, p.type, p.byteOrder ?? 'ABCD', p.length);
}

function decodePoint(p: SimPoint, words: number[]): SimValue {
  const buf = new Uint8Array(words.length * 2);
  words.forEach((w, i) => {
    buf[2 * i] = w >> 8;
    buf[2 * i + 1] = w & 0xff;
  });
  const view = new DataView(buf.buffer);
  // Only the simple writable types the profiles declare; others keep their encoded words' meaning.
  switch (p.type) {
    case 'uint16':
      return view.getUint16(0);
    case 'int16':
      return view.getInt16(0);
    case 'float32':
      return p.byteOrder === undefined || p.byteOrder === 'ABCD' ? view.getFloat32(0) : p.raw(0, 0);
    case 'uint32':
      return view.getUint32(0);
    default:
      return p.raw(0, 0);
  }
}
