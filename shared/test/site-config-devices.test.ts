import { describe, expect, it } from 'vitest';
import { ValidationError, deviceConfigSchema, devicesSchema, modbusTypeRegisters, parseWith, type DeviceConfigInput, type ModbusTagInput } from '@dcmms/shared';

const tcp = (tags: ModbusTagInput[], extra: Record<string, unknown> = {}): DeviceConfigInput =>
  ({ protocol: 'modbus-tcp', name: 'inv1', host: '127.0.0.1', tags, ...extra }) as DeviceConfigInput;

/** Every issue as `path: message`, as an operator sees it. */
function problems(value: unknown, schema: typeof deviceConfigSchema | typeof devicesSchema = deviceConfigSchema): string[] {
  try {
    parseWith(schema, value, 'device');
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('modbus device schema', () => {
  it('fills defaults for a minimal TCP device', () => {
    const d = parseWith(deviceConfigSchema, tcp([{ name: 'p', register: 'holding', address: 0 }]), 'device');
    expect(d).toMatchObject({
      protocol: 'modbus-tcp',
      port: 502,
      unitId: 1,
      maxRegistersPerRequest: 125,
      maxBitsPerRequest: 2000,
      maxGap: 0,
      concurrency: 1,
      addressBase: 0,
      retries: 1,
      backoff: { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.2 },
    });
    if (d.protocol !== 'modbus-tcp') throw new Error('unreachable');
    expect(d.tags[0]).toMatchObject({ type: 'uint16', byteOrder: 'ABCD', scale: 1, offset: 0, writable: false });
  });

  it('accepts an RTU device with line settings', () => {
    const d = parseWith(
      deviceConfigSchema,
      { protocol: 'modbus-rtu', name: 'm1', unitId: 7, serial: { path: '/dev/ttyUSB0', baudRate: 19200, parity: 'none', stopBits: 2 }, tags: [] },
      'device',
    );
    expect(d).toMatchObject({ serial: { path: '/dev/ttyUSB0', baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 2 }, unitId: 7 });
  });

  it('names path and tag for an address out of range', () => {
    expect(problems(tcp([{ name: 'ok', register: 'holding', address: 1 }, { name: 'far', register: 'holding', address: 70000 }]))).toEqual([
      'tags[1].address: expected 0..65535 (tag "far")',
    ]);
    expect(problems([tcp([]), tcp([{ name: 'x', register: 'input', address: -1 }], { name: 'inv2' })], devicesSchema)).toEqual([
      '[1].tags[0].address: expected 0..65535 (tag "x")',
    ]);
  });

  it('checks addresses against a 1-based map', () => {
    expect(problems(tcp([{ name: 'zero', register: 'holding', address: 0 }], { addressBase: 1 }))).toEqual(['tags[0].address: expected 1..65536 (tag "zero")']);
    expect(problems(tcp([{ name: 'top', register: 'holding', address: 65536 }], { addressBase: 1 }))).toEqual([]);
  });

  it('refuses a type that runs past the last register', () => {
    expect(problems(tcp([{ name: 'f', register: 'holding', address: 65534, type: 'float64' }]))).toEqual([
      'tags[0].address: float64 needs 4 registers from 65534, past the last address 65535 (tag "f")',
    ]);
    expect(problems(tcp([{ name: 'f', register: 'holding', address: 65534, type: 'float32' }]))).toEqual([]);
  });

  it('refuses a declared register count smaller than the type needs', () => {
    expect(problems(tcp([{ name: 'e', register: 'input', address: 10, type: 'uint64', registers: 2 }]))).toEqual([
      'tags[0].registers: uint64 needs 4 registers, 2 given (tag "e")',
    ]);
  });

  it('refuses strings that do not fit', () => {
    expect(problems(tcp([{ name: 's', register: 'holding', address: 0, type: 'string', length: 126 }]))).toEqual([
      'tags[0].length: string of 126 registers does not fit in one request (maxRegistersPerRequest 125) (tag "s")',
    ]);
    expect(problems(tcp([{ name: 's', register: 'holding', address: 65530, type: 'string', length: 8 }]))).toEqual([
      'tags[0].length: string needs 8 registers from 65530, past the last address 65535 (tag "s")',
    ]);
    expect(problems(tcp([{ name: 's', register: 'holding', address: 0, type: 'string' }]))).toEqual([
      'tags[0].length: expected the string length in registers (tag "s")',
    ]);
    expect(problems(tcp([{ name: 'f', register: 'holding', address: 0, type: 'float64' }], { maxRegistersPerRequest: 2 }))).toEqual([
      'tags[0].type: float64 of 4 registers does not fit in one request (maxRegistersPerRequest 2) (tag "f")',
    ]);
  });

  it('refuses overlapping tags and names both', () => {
    expect(
      problems(
        tcp([
          { name: 'a', register: 'holding', address: 10, type: 'float32' },
          { name: 'b', register: 'holding', address: 11 },
          { name: 'c', register: 'input', address: 11 }, // another table: no overlap
          { name: 'd', register: 'holding', address: 11, unitId: 2 }, // another unit: no overlap
        ]),
      ),
    ).toEqual(['tags[1].address: overlaps tags[0] "a" (tag "b")']);
  });

  it('lets bits share a register with each other and with the whole word, but not the same bit twice', () => {
    const word = { name: 'state', register: 'holding', address: 5 } as const;
    expect(
      problems(
        tcp([
          word,
          { name: 'b0', register: 'holding', address: 5, type: 'bool', bit: 0 },
          { name: 'b1', register: 'holding', address: 5, type: 'bool', bit: 1 },
        ]),
      ),
    ).toEqual([]);
    expect(
      problems(
        tcp([
          { name: 'b0', register: 'holding', address: 5, type: 'bool', bit: 3 },
          { name: 'again', register: 'holding', address: 5, type: 'bool', bit: 3 },
        ]),
      ),
    ).toEqual(['tags[1].address: overlaps tags[0] "b0" (tag "again")']);
  });

  it('checks bits, tables and writability', () => {
    expect(
      problems(
        tcp([
          { name: 'c', register: 'coil', address: 0, type: 'uint16' },
          { name: 'r', register: 'holding', address: 1, type: 'bool' },
          { name: 'i', register: 'input', address: 2, writable: true },
          { name: 'n', register: 'holding', address: 3, bit: 2 },
          { name: 'ok', register: 'coil', address: 1, type: 'bool', writable: true },
        ]),
      ),
    ).toEqual([
      'tags[0].type: expected bool for a coil (tag "c")',
      'tags[1].bit: expected 0..15: a bool in a holding register needs the bit index (tag "r")',
      'tags[2].writable: input registers are read-only (tag "i")',
      'tags[3].bit: bit applies to bool tags only (tag "n")',
    ]);
  });

  it('reports every problem at once: duplicate names, zero scale, scale on non-numeric tags', () => {
    expect(
      problems(
        tcp([
          { name: 'x', register: 'holding', address: 0 },
          { name: 'x', register: 'holding', address: 1 },
          { name: 'y', register: 'coil', address: 0, type: 'bool', scale: 10 },
          { name: 'z', register: 'holding', address: 2, scale: 0 },
        ]),
      ),
    ).toEqual([
      'tags[3].scale: expected a finite non-zero number',
      'tags[1].name: duplicate tag name, also tags[0] (tag "x")',
      'tags[2].scale: scale and offset apply to numeric tags only (tag "y")',
    ]);
  });

  it('validates per-device limits', () => {
    expect(problems(tcp([], { maxRegistersPerRequest: 126, maxBitsPerRequest: 2001, concurrency: 0 }))).toHaveLength(3);
    expect(problems(tcp([], { backoff: { initialMs: 1000, maxMs: 10 } }))).toEqual(['backoff.maxMs: expected maxMs >= initialMs']);
  });

  it('counts registers per type', () => {
    expect(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'int64', 'uint64', 'float64'].map((t) => modbusTypeRegisters(t as 'int16'))).toEqual([
      1, 1, 1, 2, 2, 2, 4, 4, 4,
    ]);
    expect(modbusTypeRegisters('string', 10)).toBe(10);
  });
});

describe('opcua device schema', () => {
  const base = { protocol: 'opcua', name: 'wt1', endpoint: 'opc.tcp://127.0.0.1:4840/UA/Server' };

  it('fills defaults', () => {
    const d = parseWith(deviceConfigSchema, { ...base, tags: [{ name: 'wind', nodeId: 'ns=2;s=Wind.Speed' }] }, 'device');
    expect(d).toMatchObject({
      securityMode: 'None',
      securityPolicy: 'None',
      trustOnFirstUse: false,
      auth: { type: 'anonymous' },
      subscription: { publishingIntervalMs: 1000, samplingIntervalMs: 1000, queueSize: 10 },
    });
  });

  it('accepts security, user names from the environment and deadbands', () => {
    const d = parseWith(
      deviceConfigSchema,
      {
        ...base,
        securityMode: 'SignAndEncrypt',
        securityPolicy: 'Basic256Sha256',
        pkiFolder: '/var/lib/dcmms/pki',
        auth: { type: 'username', username: 'op', password: { env: 'OPC_PASSWORD' } },
        tags: [
          { name: 'a', nodeId: 'ns=2;s=A', subscription: { samplingIntervalMs: 100, queueSize: 5, deadband: { type: 'percent', value: 2 } } },
          { name: 'b', nodeId: 'i=2258', pollIntervalMs: 5000 },
          { name: 'c', nodeId: 'ns=3;g=6F9619FF-8B86-D011-B42D-00CF4FC964FF', subscription: { deadband: { type: 'absolute', value: 0.5 } } },
        ],
      },
      'device',
    );
    expect(d.tags).toHaveLength(3);
  });

  it('refuses inconsistent security and bad node ids', () => {
    expect(
      problems({
        ...base,
        securityMode: 'Sign',
        tags: [
          { name: 'a', nodeId: 'Wind.Speed' },
          { name: 'b', nodeId: 'ns=2;s=B', pollIntervalMs: 1000, subscription: {} },
        ],
      }),
    ).toEqual([
      'tags[0].nodeId: expected an OPC-UA node id like "ns=2;s=Name" or "i=2258"',
      'securityPolicy: expected a security policy for securityMode Sign',
      'pkiFolder: expected a PKI folder for signed or encrypted sessions and for user names (the password is encrypted with the server certificate)',
      'tags[1].subscription: a tag is either polled (pollIntervalMs) or subscribed, not both (tag "b")',
    ]);
    expect(problems({ ...base, tags: [{ name: 'a', nodeId: 'i=1', subscription: { deadband: { type: 'percent', value: 120 } } }] })).toHaveLength(1);
    expect(problems({ ...base, auth: { type: 'username', username: 'u', password: 'plain' }, tags: [] }).length).toBeGreaterThan(0);
  });
});

describe('devices of a site', () => {
  const rtu = (name: string, unitId: number, baudRate = 9600): DeviceConfigInput =>
    ({ protocol: 'modbus-rtu', name, unitId, serial: { path: '/dev/ttyS0', baudRate }, tags: [{ name: `${name}.v`, register: 'input', address: 0 }] }) as DeviceConfigInput;

  it('lets several unit ids share one serial line', () => {
    expect(problems([rtu('a', 1), rtu('b', 2), rtu('c', 3)], devicesSchema)).toEqual([]);
  });

  it('refuses clashing line settings, unit ids, device and tag names', () => {
    expect(problems([rtu('a', 1), rtu('b', 1), rtu('c', 3, 19200), rtu('a', 4)], devicesSchema)).toEqual([
      '[1].unitId: unit id 1 already used on /dev/ttyS0 by devices[0] (device "b")',
      '[2].serial: devices on serial line /dev/ttyS0 must share its settings, devices[0] has {"baudRate":9600,"parity":"even","dataBits":8,"stopBits":1} (device "c")',
      '[3].name: duplicate device name, also devices[0] (device "a")',
      '[3].tags[0].name: tag name already used by devices[0].tags[0] (tag "a.v")',
    ]);
  });
});
