import type { DeviceConfig } from '@dcmms/shared';
import type { DeviceAdapter } from './adapter.js';
import { createModbusAdapter, type AdapterDeps } from './modbus/modbus-adapter.js';


export type CreateAdapterDeps = AdapterDeps;

/** The adapter for one validated device config (parse it with `deviceConfigSchema` first). */
export function createAdapter(device: DeviceConfig, deps: CreateAdapterDeps = {}): DeviceAdapter {
  return createModbusAdapter(device as never, deps);
}
