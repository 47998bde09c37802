import type { DeviceConfigInput, ModbusTagInput, OpcuaTagInput } from '@dcmms/shared';
import { getProfile, type ProfileName, type SimProfile } from './profiles.js';

/**
 * Device configs that read a simulator: every point of the profile as a tag named
 * `<device>.<point>`. The demo, benches and tests build their site configs from these.
 */
export interface SimDeviceOptions {
  readonly name: string;
  readonly pollIntervalMs?: number;
  readonly asset?: string;
  /** Extra device fields (timeouts, maxGap, concurrency...). */
  readonly extra?: Record<string, unknown>;
}

const profileOf = (p: ProfileName | SimProfile): SimProfile => (typeof p === 'string' ? getProfile(p) : p);

export function simulatorModbusTags(profile: ProfileName | SimProfile, device: string): ModbusTagInput[] {
  return profileOf(profile).points.map((p) => ({
    name: `${device}.${p.name}`,
    register: p.register,
    address: p.address,
    type: p.type,
    ...(p.byteOrder ? { byteOrder: p.byteOrder } : {}),
    ...(p.scale !== undefined ? { scale: p.scale } : {}),
    ...(p.length !== undefined ? { length: p.length } : {}),
    ...(p.bit !== undefined ? { bit: p.bit } : {}),
    ...(p.unit ? { unit: p.unit } : {}),
    ...(p.writable ? { writable: true } : {}),
  }));
}

export function simulatorModbusDevice(profile: ProfileName | SimProfile, endpoint: { host: string; port: number; unitId?: number }, o: SimDeviceOptions): DeviceConfigInput {
  return {
    protocol: 'modbus-tcp',
    name: o.name,
    host: endpoint.host,
    port: endpoint.port,
    ...(endpoint.unitId !== undefined ? { unitId: endpoint.unitId } : {}),
    ...(o.pollIntervalMs ? { pollIntervalMs: o.pollIntervalMs } : {}),
    ...(o.asset ? { asset: o.asset } : {}),
    ...o.extra,
    tags: simulatorModbusTags(profile, o.name),
  } as DeviceConfigInput;
}

/** OPC-UA node id of a point in the simulator's namespace (index 1). */
export const simulatorNodeId = (point: string): string => `ns=1;s=${point}`;

export function simulatorOpcuaTags(profile: ProfileName | SimProfile, device: string): OpcuaTagInput[] {
  return profileOf(profile).points.map((p) => ({ name: `${device}.${p.name}`, nodeId: simulatorNodeId(p.name), ...(p.unit ? { unit: p.unit } : {}), ...(p.writable ? { writable: true } : {}) }));
}

export function simulatorOpcuaDevice(profile: ProfileName | SimProfile, endpoint: string, o: SimDeviceOptions): DeviceConfigInput {
  return {
    protocol: 'opcua',
    name: o.name,
    endpoint,
    ...(o.pollIntervalMs ? { pollIntervalMs: o.pollIntervalMs } : {}),
    ...(o.asset ? { asset: o.asset } : {}),
    ...o.extra,
    tags: simulatorOpcuaTags(profile, o.name),
  } as DeviceConfigInput;
}
