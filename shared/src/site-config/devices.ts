import { z } from 'zod';
import { tagNameSchema } from '../contracts/reading.js';

/**
 * Devices and their tags as a site config declares them (Modbus TCP, Modbus RTU, OPC-UA).
 * Pure schemas, no I/O. Field checks are zod's; the checks that need several fields at once
 * (overlapping tags, a float64 at the last register, a string longer than one request) are
 * in `superRefine`s that report the path of the offending field and name the tag, e.g.
 * `devices[2].tags[5].address: expected 0..65535 (tag "inv1.ac_power")`.
 */

// ---------------------------------------------------------------------------------------
// Shared pieces

/** Device names appear in logs, metrics labels and CLI arguments: no escaping needed. */
export const deviceNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/, 'expected 1-64 of A-Z, a-z, 0-9 and inner "_", ".", "-"');

/** An asset id the readings of a device or tag belong to (the cloud's asset hierarchy). */
export const assetRefSchema = z.string().min(1).max(128);

const intervalMs = z.number().int().min(10).max(86_400_000);
const timeoutMs = z.number().int().min(10).max(600_000);

/** Exponential backoff with jitter between reconnect attempts (and between retries of a request). */
export const backoffSchema = z
  .strictObject({
    initialMs: z.number().int().min(1).max(600_000).default(500),
    maxMs: z.number().int().min(1).max(3_600_000).default(30_000),
    multiplier: z.number().min(1).max(10).default(2),
    /** Fraction of each delay that is randomised (0 = none, 0.5 = +-50 %). */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .refine((b) => b.maxMs >= b.initialMs, { message: 'expected maxMs >= initialMs', path: ['maxMs'] });
export type BackoffConfig = z.output<typeof backoffSchema>;
const backoffDefault = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.2 };

/** A secret never sits in the config itself: it is read from an environment variable or a file. */
export const secretRefSchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.output<typeof secretRefSchema>;

// ---------------------------------------------------------------------------------------
// Modbus

export const modbusRegisterKinds = ['coil', 'discrete', 'holding', 'input'] as const;
/** The four Modbus tables: coils (FC1), discrete inputs (FC2), holding (FC3), input registers (FC4). */
export const modbusRegisterKindSchema = z.enum(modbusRegisterKinds);
export type ModbusRegisterKind = z.output<typeof modbusRegisterKindSchema>;

export const modbusDataTypes = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'] as const;
export const modbusDataTypeSchema = z.enum(modbusDataTypes);
export type ModbusDataType = z.output<typeof modbusDataTypeSchema>;

/**
 * Byte order of a multi-register value, named by where the bytes of the big-endian value
 * `A B C D` land: ABCD big-endian (Modbus standard), CDAB word-swapped, BADC byte-swapped,
 * DCBA little-endian. For 64-bit values the pattern extends to four words.
 */
export const byteOrderSchema = z.enum(['ABCD', 'CDAB', 'BADC', 'DCBA']);
export type ByteOrder = z.output<typeof byteOrderSchema>;

/** Registers a value of this type occupies (strings: their configured length). */
export function modbusTypeRegisters(type: ModbusDataType, length?: number): number {
  switch (type) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return length ?? 1;
  }
}

export const isBitTable = (kind: ModbusRegisterKind): boolean => kind === 'coil' || kind === 'discrete';

export const modbusTagSchema = z.strictObject({
  name: tagNameSchema,
  /** Which table: coil (FC1), discrete (FC2), holding (FC3), input (FC4). */
  register: modbusRegisterKindSchema,
  /** In the device's addressing base (0-based: 0..65535, 1-based: 1..65536). */
  address: z.number().int(),
  type: modbusDataTypeSchema.default('uint16'),
  /** Strings only: length in registers (two characters per register). */
  length: z.number().int().min(1).optional(),
  /** Registers the register map says the value occupies; if given it must match the type. */
  registers: z.number().int().min(1).optional(),
  byteOrder: byteOrderSchema.default('ABCD'),
  /** Bool from a bit of a holding or input register: 0 = least significant. */
  bit: z.number().int().min(0).max(15).optional(),
  /** value = raw * scale + offset. */
  scale: z.number().refine((n) => Number.isFinite(n) && n !== 0, 'expected a finite non-zero number').default(1),
  offset: z.number().refine(Number.isFinite, 'expected a finite number').default(0),
  unit: z.string().max(32).optional(),
  /** Overrides the device's poll interval. Intervals align to wall-clock multiples. */
  pollIntervalMs: intervalMs.optional(),
  /** Overrides the device's unit id (gateways fronting several slaves). */
  unitId: z.number().int().min(0).max(255).optional(),
  /** Only writable tags accept commands (FC5/6/15/16). Discrete and input tables are read-only. */
  writable: z.boolean().default(false),
  asset: assetRefSchema.optional(),
});
export type ModbusTagConfig = z.output<typeof modbusTagSchema>;
export type ModbusTagInput = z.input<typeof modbusTagSchema>;

const modbusCommon = {
  name: deviceNameSchema,
  enabled: z.boolean().default(true),
  asset: assetRefSchema.optional(),
  unitId: z.number().int().min(0).max(255).default(1),
  /** Default poll interval of the device's tags. */
  pollIntervalMs: intervalMs.default(1000),
  /** Response timeout of one request. */
  timeoutMs: timeoutMs.default(1000),
  /** Retries of a timed-out request before its tags are reported bad. */
  retries: z.number().int().min(0).max(10).default(1),
  backoff: backoffSchema.default(backoffDefault),
  /** FC3/FC4 limit is 125 by the spec; some devices accept fewer. */
  maxRegistersPerRequest: z.number().int().min(1).max(125).default(125),
  /** FC1/FC2 limit is 2000 by the spec. */
  maxBitsPerRequest: z.number().int().min(1).max(2000).default(2000),
  /** Unmapped registers (or bits) the planner may read across to merge two requests. 0 = only adjacent. */
  maxGap: z.number().int().min(0).max(2000).default(0),
  /** Pause after each response before the next request, for slow devices. */
  interRequestDelayMs: z.number().int().min(0).max(60_000).default(0),
  /** Whether addresses in this config count from 0 (protocol addresses) or from 1 (many register maps). */
  addressBase: z.union([z.literal(0), z.literal(1)]).default(0),
};

export const modbusTcpDeviceSchema = z.strictObject({
  protocol: z.literal('modbus-tcp'),
  ...modbusCommon,
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(502),
  connectTimeoutMs: timeoutMs.default(3000),
  /** Requests in flight at once on the device's connection (many devices answer one at a time). */
  concurrency: z.number().int().min(1).max(16).default(1),
  tags: z.array(modbusTagSchema).max(20_000),
});
export type ModbusTcpDeviceConfig = z.output<typeof modbusTcpDeviceSchema>;

export const serialLineSchema = z.strictObject({
  /** `/dev/ttyUSB0`, `/dev/ttyS1`, a pty... Devices with the same path share the line. */
  path: z.string().min(1),
  baudRate: z.number().int().min(300).max(921_600).default(9600),
  /** The Modbus serial spec's default is even parity. */
  parity: z.enum(['none', 'even', 'odd']).default('even'),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});
export type SerialLineConfig = z.output<typeof serialLineSchema>;

/**
 * One slave (unit id) on an RTU line. Several devices naming the same serial path share the
 * line, which carries one request at a time; their line settings must agree.
 */
export const modbusRtuDeviceSchema = z.strictObject({
  protocol: z.literal('modbus-rtu'),
  ...modbusCommon,
  serial: serialLineSchema,
  tags: z.array(modbusTagSchema).max(20_000),
});
export type ModbusRtuDeviceConfig = z.output<typeof modbusRtuDeviceSchema>;
export type ModbusDeviceConfig = ModbusTcpDeviceConfig | ModbusRtuDeviceConfig;

// ---------------------------------------------------------------------------------------
// OPC-UA

export const opcuaSecurityModeSchema = z.enum(['None', 'Sign', 'SignAndEncrypt']);
export type OpcuaSecurityMode = z.output<typeof opcuaSecurityModeSchema>;
export const opcuaSecurityPolicySchema = z.enum([
  'None',
  'Basic128Rsa15',
  'Basic256',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
]);
export type OpcuaSecurityPolicy = z.output<typeof opcuaSecurityPolicySchema>;

/** OPC-UA node ids in their string form: `ns=2;s=Inverter.Power`, `i=2258`, `ns=3;g=...`, `ns=1;b=...`. */
export const nodeIdSchema = z
  .string()
  .max(4096)
  .regex(/^(?:(?:ns=\d{1,5}|nsu=[^;]+);)?(?:i=\d{1,10}|s=.+|g=[0-9A-Fa-f-]{36}|b=[A-Za-z0-9+/=]+)$/s, 'expected an OPC-UA node id like "ns=2;s=Name" or "i=2258"');

export const deadbandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('absolute'), value: z.number().min(0).refine(Number.isFinite, 'expected a finite number') }),
  /** Percent of the item's EU range: the server refuses it for items without one (BadMonitoredItemFilterUnsupported). */
  z.strictObject({ type: z.literal('percent'), value: z.number().min(0).max(100) }),
]);
export type DeadbandConfig = z.output<typeof deadbandSchema>;

export const monitoredItemSchema = z.strictObject({
  /** 0 = as fast as the server samples; -1 = the publishing interval. */
  samplingIntervalMs: z.number().int().min(-1).max(86_400_000).optional(),
  queueSize: z.number().int().min(1).max(10_000).optional(),
  deadband: deadbandSchema.optional(),
});
export type MonitoredItemConfig = z.output<typeof monitoredItemSchema>;

export const opcuaTagSchema = z.strictObject({
  name: tagNameSchema,
  nodeId: nodeIdSchema,
  /**
   * Polled with a Read every `pollIntervalMs` when set; otherwise subscribed (with the
   * device's subscription defaults, overridden by `subscription`).
   */
  pollIntervalMs: intervalMs.optional(),
  subscription: monitoredItemSchema.optional(),
  /** value = raw * scale + offset, numeric values only. */
  scale: z.number().refine((n) => Number.isFinite(n) && n !== 0, 'expected a finite non-zero number').default(1),
  offset: z.number().refine(Number.isFinite, 'expected a finite number').default(0),
  unit: z.string().max(32).optional(),
  writable: z.boolean().default(false),
  asset: assetRefSchema.optional(),
});
export type OpcuaTagConfig = z.output<typeof opcuaTagSchema>;
export type OpcuaTagInput = z.input<typeof opcuaTagSchema>;

export const opcuaAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('anonymous') }),
  z.strictObject({ type: z.literal('username'), username: z.string().min(1).max(256), password: secretRefSchema }),
]);
export type OpcuaAuthConfig = z.output<typeof opcuaAuthSchema>;

export const opcuaSubscriptionSchema = z.strictObject({
  publishingIntervalMs: z.number().int().min(10).max(3_600_000).default(1000),
  samplingIntervalMs: z.number().int().min(-1).max(86_400_000).default(1000),
  queueSize: z.number().int().min(1).max(10_000).default(10),
  lifetimeCount: z.number().int().min(3).max(100_000).default(60),
  maxKeepAliveCount: z.number().int().min(1).max(10_000).default(10),
  maxNotificationsPerPublish: z.number().int().min(0).max(100_000).default(0),
});
export type OpcuaSubscriptionConfig = z.output<typeof opcuaSubscriptionSchema>;
const subscriptionDefault = {
  publishingIntervalMs: 1000,
  samplingIntervalMs: 1000,
  queueSize: 10,
  lifetimeCount: 60,
  maxKeepAliveCount: 10,
  maxNotificationsPerPublish: 0,
};

export const opcuaDeviceSchema = z.strictObject({
  protocol: z.literal('opcua'),
  name: deviceNameSchema,
  enabled: z.boolean().default(true),
  asset: assetRefSchema.optional(),
  endpoint: z.string().regex(/^opc\.tcp:\/\/[^\s/:]+(?::\d{1,5})?(?:\/\S*)?$/, 'expected opc.tcp://host[:port][/path]'),
  securityMode: opcuaSecurityModeSchema.default('None'),
  securityPolicy: opcuaSecurityPolicySchema.default('None'),
  /** Where the client keeps its certificate and private key (created on first run) and trusted/rejected server certificates. */
  pkiFolder: z.string().min(1).optional(),
  /** Trust a server certificate seen for the first time (copy it into trusted/); otherwise it must be placed there by hand. */
  trustOnFirstUse: z.boolean().default(false),
  auth: opcuaAuthSchema.default({ type: 'anonymous' }),
  /** Default interval of polled tags. */
  pollIntervalMs: intervalMs.default(1000),
  connectTimeoutMs: timeoutMs.default(10_000),
  requestTimeoutMs: timeoutMs.default(10_000),
  backoff: backoffSchema.default(backoffDefault),
  subscription: opcuaSubscriptionSchema.default(subscriptionDefault),
  tags: z.array(opcuaTagSchema).max(50_000),
});
export type OpcuaDeviceConfig = z.output<typeof opcuaDeviceSchema>;

// ---------------------------------------------------------------------------------------
// Cross-field checks

type Ctx = z.core.$RefinementCtx<unknown>;

function issue(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

interface Span {
  readonly index: number;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly bit: number | undefined;
}

function checkModbusTags(device: ModbusDeviceConfig, ctx: Ctx): void {
  const base = device.addressBase;
  const lo = base;
  const hi = 65535 + base;
  const seen = new Map<string, number>();
  // Per unit id and table, the register spans, for the overlap check.
  const spans = new Map<string, Span[]>();

  device.tags.forEach((tag, i) => {
    const at = (field: string): PropertyKey[] => ['tags', i, field];
    const named = `(tag "${tag.name}")`;
    const prev = seen.get(tag.name);
    if (prev !== undefined) issue(ctx, at('name'), `duplicate tag name, also tags[${prev}] ${named}`);
    else seen.set(tag.name, i);

    const bitTable = isBitTable(tag.register);
    if (bitTable && tag.type !== 'bool') issue(ctx, at('type'), `expected bool for a ${tag.register} ${named}`);
    if (bitTable && tag.bit !== undefined) issue(ctx, at('bit'), `a ${tag.register} is a single bit already, bit not allowed ${named}`);
    if (!bitTable && tag.type === 'bool' && tag.bit === undefined)
      issue(ctx, at('bit'), `expected 0..15: a bool in a ${tag.register} register needs the bit index ${named}`);
    if (tag.type !== 'bool' && tag.bit !== undefined) issue(ctx, at('bit'), `bit applies to bool tags only ${named}`);
    if (tag.type === 'string' && tag.length === undefined) issue(ctx, at('length'), `expected the string length in registers ${named}`);
    if (tag.type !== 'string' && tag.length !== undefined) issue(ctx, at('length'), `length applies to string tags only ${named}`);
    if ((tag.type === 'bool' || tag.type === 'string') && (tag.scale !== 1 || tag.offset !== 0))
      issue(ctx, at(tag.scale !== 1 ? 'scale' : 'offset'), `scale and offset apply to numeric tags only ${named}`);
    if (tag.writable && (tag.register === 'discrete' || tag.register === 'input'))
      issue(ctx, at('writable'), `${tag.register} ${bitTable ? 'inputs' : 'registers'} are read-only ${named}`);

    const width = bitTable ? 1 : modbusTypeRegisters(tag.type, tag.length);
    if (tag.registers !== undefined && tag.registers !== width)
      issue(ctx, at('registers'), `${tag.type} needs ${width} register${width > 1 ? 's' : ''}, ${tag.registers} given ${named}`);

    const limit = bitTable ? device.maxBitsPerRequest : device.maxRegistersPerRequest;
    if (width > limit) {
      issue(
        ctx,
        at(tag.type === 'string' ? 'length' : 'type'),
        `${tag.type} of ${width} registers does not fit in one request (maxRegistersPerRequest ${limit}) ${named}`,
      );
    }
    if (tag.address < lo || tag.address > hi) {
      issue(ctx, at('address'), `expected ${lo}..${hi} ${named}`);
      return;
    }
    const last = tag.address + width - 1;
    if (last > hi) {
      issue(ctx, at(tag.type === 'string' ? 'length' : 'address'), `${tag.type} needs ${width} registers from ${tag.address}, past the last address ${hi} ${named}`);
      return;
    }
    const key = `${tag.unitId ?? device.unitId}/${tag.register}`;
    let list = spans.get(key);
    if (!list) spans.set(key, (list = []));
    list.push({ index: i, name: tag.name, start: tag.address, end: last, bit: tag.type === 'bool' && !bitTable ? tag.bit : undefined });
  });

  // Overlap: sort by start and compare with every span still open. Bits of a register may
  // share it with each other and with a whole-register tag (a state word and its fault
  // bits), but not the same bit twice; two whole values may not share a register.
  for (const list of spans.values()) {
    list.sort((a, b) => a.start - b.start || a.index - b.index);
    const open: Span[] = [];
    for (const s of list) {
      for (let k = open.length - 1; k >= 0; k--) if (open[k]!.end < s.start) open.splice(k, 1);
      for (const o of open) {
        const clash = o.bit === undefined && s.bit === undefined ? true : o.bit !== undefined && s.bit !== undefined && o.bit === s.bit;
        if (clash) {
          const first = o.index < s.index ? o : s;
          const second = o.index < s.index ? s : o;
          issue(ctx, ['tags', second.index, 'address'], `overlaps tags[${first.index}] "${first.name}" (tag "${second.name}")`);
        }
      }
      open.push(s);
    }
  }
}

function checkOpcua(device: OpcuaDeviceConfig, ctx: Ctx): void {
  if ((device.securityMode === 'None') !== (device.securityPolicy === 'None')) {
    issue(
      ctx,
      ['securityPolicy'],
      device.securityMode === 'None' ? 'expected None when securityMode is None' : `expected a security policy for securityMode ${device.securityMode}`,
    );
  }
  if ((device.securityMode !== 'None' || device.auth.type === 'username') && device.pkiFolder === undefined)
    issue(ctx, ['pkiFolder'], 'expected a PKI folder for signed or encrypted sessions and for user names (the password is encrypted with the server certificate)');

  const seen = new Map<string, number>();
  device.tags.forEach((tag, i) => {
    const named = `(tag "${tag.name}")`;
    const prev = seen.get(tag.name);
    if (prev !== undefined) issue(ctx, ['tags', i, 'name'], `duplicate tag name, also tags[${prev}] ${named}`);
    else seen.set(tag.name, i);
    if (tag.pollIntervalMs !== undefined && tag.subscription !== undefined)
      issue(ctx, ['tags', i, 'subscription'], `a tag is either polled (pollIntervalMs) or subscribed, not both ${named}`);
  });
}

export const modbusTcpDeviceConfigSchema = modbusTcpDeviceSchema.superRefine((d, ctx) => checkModbusTags(d, ctx));
export const modbusRtuDeviceConfigSchema = modbusRtuDeviceSchema.superRefine((d, ctx) => checkModbusTags(d, ctx));
export const opcuaDeviceConfigSchema = opcuaDeviceSchema.superRefine((d, ctx) => checkOpcua(d, ctx));

/** One device of a site config, with every single-device check. */
export const deviceConfigSchema = z
  .discriminatedUnion('protocol', [modbusTcpDeviceSchema, modbusRtuDeviceSchema, opcuaDeviceSchema])
  .superRefine((d, ctx) => {
    if (d.protocol === 'opcua') checkOpcua(d, ctx);
    else checkModbusTags(d, ctx);
  });
export type DeviceConfig = z.output<typeof deviceConfigSchema>;
export type DeviceConfigInput = z.input<typeof deviceConfigSchema>;
export type DeviceProtocol = DeviceConfig['protocol'];
export type TagConfig = ModbusTagConfig | OpcuaTagConfig;

/**
 * The devices of one site, with the checks across devices: unique device names, tag names
 * unique across the site (a Reading names its tag only), and devices on one serial line
 * agreeing on its settings and not sharing a unit id.
 */
export const devicesSchema = z.array(deviceConfigSchema).max(1000).superRefine((devices, ctx) => {
  const names = new Map<string, number>();
  const tags = new Map<string, string>();
  const lines = new Map<string, { index: number; settings: string; units: Map<number, number> }>();
  devices.forEach((d, i) => {
    const prev = names.get(d.name);
    if (prev !== undefined) issue(ctx, [i, 'name'], `duplicate device name, also devices[${prev}] (device "${d.name}")`);
    else names.set(d.name, i);

    d.tags.forEach((t, k) => {
      const other = tags.get(t.name);
      if (other !== undefined && !other.startsWith(`${i}.`)) {
        const [oi, ok] = other.split('.');
        issue(ctx, [i, 'tags', k, 'name'], `tag name already used by devices[${oi}].tags[${ok}] (tag "${t.name}")`);
      } else if (other === undefined) tags.set(t.name, `${i}.${k}`);
    });

    if (d.protocol === 'modbus-rtu') {
      const { path, ...rest } = d.serial;
      const settings = JSON.stringify(rest);
      let line = lines.get(path);
      if (!line) lines.set(path, (line = { index: i, settings, units: new Map() }));
      else if (line.settings !== settings)
        issue(ctx, [i, 'serial'], `devices on serial line ${path} must share its settings, devices[${line.index}] has ${line.settings} (device "${d.name}")`);
      const unitOwner = line.units.get(d.unitId);
      if (unitOwner !== undefined) issue(ctx, [i, 'unitId'], `unit id ${d.unitId} already used on ${path} by devices[${unitOwner}] (device "${d.name}")`);
      else line.units.set(d.unitId, i);
    }
  });
});
