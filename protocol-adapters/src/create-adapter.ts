import type { DeviceConfig } from '@dcmms/shared';
import type { DeviceAdapter } from './adapter.js';
import { createModbusAdapter, type AdapterDeps } from './modbus/modbus-adapter.js';
import { createOpcuaAdapter } from './opcua/opcua-adapter.js';

export type CreateAdapterDeps = AdapterDeps;

/** The adapter for one validated device config (parse it with `deviceConfigSchema` first). */
export function createAdapter(device: DeviceConfig, deps: CreateAdapterDeps = {}): DeviceAdapter {
  return device.protocol === 'opcua' ? createOpcuaAdapter(device, deps) : createModbusAdapter(device, deps);
}
