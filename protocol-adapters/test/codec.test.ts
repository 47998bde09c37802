import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ByteOrder } from '@dcmms/shared';
import { decodeRegisters, encodeRegisters } from '../src/modbus/codec.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
const ORDERS: ByteOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

describe('register decoding: published vectors', () => {
  // IEEE-754: 123.456f = 0x42F6E979, -1.5f = 0xBFC00000; the four orders as register maps print them.
  const float32: [number, Record<ByteOrder, string>][] = [
    [Math.fround(123.456), { ABCD: '42F6E979', CDAB: 'E97942F6', BADC: 'F64279E9', DCBA: '79E9F642' }],
    [-1.5, { ABCD: 'BFC00000', CDAB: '0000BFC0', BADC: 'C0BF0000', DCBA: '0000C0BF' }],
  ];
  // 123.456 = 0x405EDD2F1A9FBE77, -1.5 = 0xBFF8000000000000.
  const float64: [number, Record<ByteOrder, string>][] = [
    [123.456, { ABCD: '405EDD2F1A9FBE77', CDAB: 'BE771A9FDD2F405E', BADC: '5E402FDD9F1A77BE', DCBA: '77BE9F1A2FDD5E40' }],
    [-1.5, { ABCD: 'BFF8000000000000', CDAB: '000000000000BFF8', BADC: 'F8BF000000000000', DCBA: '000000000000F8BF' }],
  ];
  for (const [value, orders] of float32)
    for (const order of ORDERS)
      it(`float32 ${value} ${order}`, () => {
        expect(decodeRegisters(hex(orders[order]), 0, 'float32', order)).toBe(value);
        expect(Buffer.from(encodeRegisters(value, 'float32', order).flatMap((w) => [w >> 8, w & 0xff])).toString('hex').toUpperCase()).toBe(orders[order]);
      });
  for (const [value, orders] of float64)
    for (const order of ORDERS)
      it(`float64 ${value} ${order}`, () => {
        expect(decodeRegisters(hex(orders[order]), 0, 'float64', order)).toBe(value);
      });

  it('integers in every width and order', () => {
    expect(decodeRegisters(hex('FFFE'), 0, 'int16', 'ABCD')).toBe(-2);
    expect(decodeRegisters(hex('FEFF'), 0, 'int16', 'BADC')).toBe(-2);
    expect(decodeRegisters(hex('FFFE'), 0, 'uint16', 'ABCD')).toBe(65534);
    expect(decodeRegisters(hex('00012345'), 0, 'uint32', 'ABCD')).toBe(0x12345);
    expect(decodeRegisters(hex('23450001'), 0, 'uint32', 'CDAB')).toBe(0x12345);
    expect(decodeRegisters(hex('01004523'), 0, 'uint32', 'BADC')).toBe(0x12345);
    expect(decodeRegisters(hex('45230100'), 0, 'uint32', 'DCBA')).toBe(0x12345);
    expect(decodeRegisters(hex('FFFFFFFF'), 0, 'int32', 'ABCD')).toBe(-1);
    expect(decodeRegisters(hex('0000000100000002'), 0, 'uint64', 'ABCD')).toBe(2 ** 32 + 2);
    expect(decodeRegisters(hex('0002000000010000'), 0, 'uint64', 'CDAB')).toBe(2 ** 32 + 2);
    expect(decodeRegisters(hex('FFFFFFFFFFFFFFFF'), 0, 'int64', 'ABCD')).toBe(-1);
    expect(decodeRegisters(hex('00FF00FE'), 2, 'int16', 'ABCD')).toBe(254);
  });

  it('bits of a register, 0 = least significant', () => {
    const buf = hex('8001');
    expect(decodeRegisters(buf, 0, 'bool', 'ABCD', 1, 0)).toBe(true);
    expect(decodeRegisters(buf, 0, 'bool', 'ABCD', 1, 1)).toBe(false);
    expect(decodeRegisters(buf, 0, 'bool', 'ABCD', 1, 15)).toBe(true);
    expect(decodeRegisters(hex('0100'), 0, 'bool', 'BADC', 1, 0)).toBe(true);
  });

  it('strings: two characters per register, NUL-terminated, padding trimmed', () => {
    expect(decodeRegisters(Buffer.from('SMA-STP 25\0\0', 'latin1'), 0, 'string', 'ABCD', 6)).toBe('SMA-STP 25');
    expect(decodeRegisters(Buffer.from('MS-ATS P52  ', 'latin1'), 0, 'string', 'BADC', 6)).toBe('SMA-STP 25');
    expect(encodeRegisters('AB', 'string', 'ABCD', 2)).toEqual([0x4142, 0]);
  });

  it('round-trips every type and order', () => {
    const arb = fc.oneof(
      fc.tuple(fc.constant('int16' as const), fc.integer({ min: -32768, max: 32767 })),
      fc.tuple(fc.constant('uint16' as const), fc.integer({ min: 0, max: 65535 })),
      fc.tuple(fc.constant('int32' as const), fc.integer()),
      fc.tuple(fc.constant('uint32' as const), fc.nat({ max: 4294967295 })),
      fc.tuple(fc.constant('int64' as const), fc.maxSafeInteger()),
      fc.tuple(fc.constant('uint64' as const), fc.maxSafeNat()),
      fc.tuple(fc.constant('float32' as const), fc.float({ noNaN: true })),
      fc.tuple(fc.constant('float64' as const), fc.double({ noNaN: true })),
    );
    fc.assert(
      fc.property(arb, fc.constantFrom(...ORDERS), ([type, value], order) => {
        const words = encodeRegisters(value, type, order);
        const buf = Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
        expect(decodeRegisters(buf, 0, type, order)).toBe(value);
      }),
    );
  });

  it('refuses writes that do not fit the type', () => {
    expect(() => encodeRegisters(70000, 'uint16', 'ABCD')).toThrow(/out of range/);
    expect(() => encodeRegisters(1.5, 'int32', 'ABCD')).toThrow(/integer/);
  });
});
