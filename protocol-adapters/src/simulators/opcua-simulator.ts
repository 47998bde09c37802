import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import {
  AccessLevelFlag,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  type StatusCode,
  StatusCodes,
  Variant,
  nodesets,
  type UAVariable,
} from 'node-opcua';
import { systemClock, type Clock, type Logger } from '@dcmms/shared';
import { AdapterError } from '../errors.js';
import { createScaler } from '../scaling.js';
import { getProfile, type ProfileName, type SimPoint, type SimProfile, type SimValue } from './profiles.js';

/**
 * An OPC-UA server (node-opcua) publishing a profile's points as variables `ns=1;s=<point>`
 * under Objects/<profile>. Points with an engineering range are AnalogItems with an EURange
 * (percent deadband works on them); the others are plain variables (percent deadband is
 * refused there, as a real server does). Values are the same deterministic functions of
 * seed and time as the Modbus simulator's, in engineering units.
 */
export interface OpcuaSimulatorOptions {
  readonly profile?: ProfileName | SimProfile;
  readonly seed?: number;
  readonly port?: number;
  readonly clock?: Clock;
  /** How often values are recomputed (default: the profile's step). */
  readonly updateIntervalMs?: number;
  /** Overrides the profile's step: values change every `stepMs` (benches use a short one). */
  readonly stepMs?: number;
  /** Where the server keeps its certificate; default a temp folder removed on stop. */
  readonly pkiFolder?: string;
  /** Accept these user names (password = value); anonymous is always allowed unless `allowAnonymous` is false. */
  readonly users?: Readonly<Record<string, string>>;
  readonly allowAnonymous?: boolean;
  readonly logger?: Logger;
}

export interface OpcuaSimulator {
  readonly port: number;
  readonly endpoint: string;
  /** The server's certificate (DER), to place into a client's trusted/ folder. */
  certificate(): Buffer;
  freeze(on: boolean): void;
  /** Every value reports this status (e.g. `BadSensorFailure`) until set back to null. */
  setStatus(name: string | null): void;
  /** Shuts the server down, waits `downMs`, starts a new one on the same port (sessions are gone). */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const RESOURCE_PATH = '/UA/dcmms';

function dataTypeOf(p: SimPoint): DataType {
  if (p.type === 'bool') return DataType.Boolean;
  if (p.type === 'string') return DataType.String;
  if (p.scale !== undefined && p.scale !== 1) return DataType.Double;
  switch (p.type) {
    case 'float32':
      return DataType.Float;
    case 'int16':
      return DataType.Int16;
    case 'uint16':
      return DataType.UInt16;
    case 'int32':
      return DataType.Int32;
    case 'uint32':
      return DataType.UInt32;
    default:
      return DataType.Double; // 64-bit integers and float64 as Double: what the demo needs, and exact below 2^53
  }
}

export async function startOpcuaSimulator(options: OpcuaSimulatorOptions = {}): Promise<OpcuaSimulator> {
  const base = typeof options.profile === 'object' ? options.profile : getProfile(options.profile ?? 'wind-turbine');
  const profile = options.stepMs ? { ...base, stepMs: options.stepMs } : base;
  const seed = options.seed ?? 1;
  const clock = options.clock ?? systemClock;
  const updateMs = options.updateIntervalMs ?? profile.stepMs;
  const ownPki = options.pkiFolder === undefined;
  const pkiRoot = options.pkiFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dcmms-opcua-sim-'));
  let port = options.port ?? 0;
  let frozenAt: number | null = null;
  let status: StatusCode = StatusCodes.Good;
  const written = new Map<string, SimValue>();
  const scalers = new Map(profile.points.map((p) => [p.name, createScaler(p.scale ?? 1, 0)]));
  const valueAt = (p: SimPoint, t: number): SimValue => {
    const w = written.get(p.name);
    if (w !== undefined) return w;
    const raw = p.raw(Math.floor(t / profile.stepMs), seed);
    return typeof raw === 'number' ? scalers.get(p.name)!(raw) : raw;
  };

  let server: OPCUAServer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let variables: [SimPoint, UAVariable][] = [];

  const publish = (): void => {
    const now = clock.now();
    const t = frozenAt ?? now;
    // The device's own timestamp: when its value last changed step.
    const sourceTs = new Date(frozenAt ?? Math.floor(now / updateMs) * updateMs);
    for (const [p, v] of variables) {
      const value = valueAt(p, t);
      v.setValueFromSource(new Variant({ dataType: dataTypeOf(p), value }), status, sourceTs);
    }
  };

  const boot = async (): Promise<void> => {
    const certificateManager = new OPCUACertificateManager({ rootFolder: path.join(pkiRoot, 'server'), automaticallyAcceptUnknownCertificate: true });
    await certificateManager.initialize();
    const users = options.users ?? {};
    const s = new OPCUAServer({
      port,
      hostname: '127.0.0.1',
      alternateHostname: ['127.0.0.1'],
      resourcePath: RESOURCE_PATH,
      nodeset_filename: [nodesets.standard],
      serverCertificateManager: certificateManager,
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss],
      allowAnonymous: options.allowAnonymous ?? true,
      userManager: { isValidUser: (user: string, password: string) => users[user] !== undefined && users[user] === password },
      buildInfo: { productName: `dcmms-sim ${profile.name}`, manufacturerName: 'dCMMS', softwareVersion: '1.0' },
      serverInfo: { applicationUri: 'urn:dcmms:simulator', productUri: 'urn:dcmms:simulator' },
      maxConnectionsPerEndpoint: 100,
    });
    try {
      await s.initialize();
      const ns = s.engine.addressSpace!.getOwnNamespace();
      const folder = ns.addFolder(s.engine.addressSpace!.rootFolder.objects, { browseName: profile.name, nodeId: `s=${profile.name}` });
      variables = profile.points.map((p): [SimPoint, UAVariable] => {
        const dataType = dataTypeOf(p);
        const common = {
          componentOf: folder,
          browseName: p.name,
          nodeId: `s=${p.name}`,
          accessLevel: p.writable ? AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite : AccessLevelFlag.CurrentRead,
          userAccessLevel: p.writable ? AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite : AccessLevelFlag.CurrentRead,
          minimumSamplingInterval: 10,
        };
        const v =
          p.range && (dataType === DataType.Double || dataType === DataType.Float)
            ? ns.addAnalogDataItem({ ...common, dataType: dataType === DataType.Float ? 'Float' : 'Double', engineeringUnitsRange: { low: p.range[0], high: p.range[1] } })
            : ns.addVariable({ ...common, dataType: DataType[dataType] });
        if (p.writable)
          v.on('value_changed', (dv) => {
            // A client wrote: keep it (the model's value no longer applies).
            if (dv.sourceTimestamp && dv.value.value !== null && !publishing) written.set(p.name, dv.value.value as SimValue);
          });
        return [p, v];
      });
      publishing = true;
      publish();
      publishing = false;
      await s.start();
    } catch (err) {
      await s.shutdown().catch(() => undefined);
      throw new AdapterError('DCMMS_SIM_FAILED', `OPC-UA simulator could not start on port ${port}: ${(err as Error).message}`, { cause: err });
    }
    port = s.endpoints[0]!.port;
    server = s;
    timer = setInterval(() => {
      publishing = true;
      try {
        publish();
      } finally {
        publishing = false;
      }
    }, updateMs);
    options.logger?.info({ port, profile: profile.name }, 'opcua simulator listening');
  };
  let publishing = false;

  const shutdown = async (): Promise<void> => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const s = server;
    server = undefined;
    if (s) await s.shutdown(0);
  };

  await boot();
  return {
    get port() {
      return port;
    },
    get endpoint() {
      return `opc.tcp://127.0.0.1:${port}${RESOURCE_PATH}`;
    },
    certificate() {
      return server!.getCertificate();
    },
    freeze(on) {
      frozenAt = on ? clock.now() : null;
    },
    setStatus(name) {
      status = name === null ? StatusCodes.Good : ((StatusCodes as unknown as Record<string, StatusCode>)[name] ?? StatusCodes.Bad);
      publishing = true;
      publish();
      publishing = false;
    },
    async restart(downMs = 200) {
      await shutdown();
      await new Promise((r) => setTimeout(r, downMs));
      await boot();
    },
    async stop() {
      await shutdown();
      if (ownPki) fs.rmSync(pkiRoot, { recursive: true, force: true });
    },
  };
}
