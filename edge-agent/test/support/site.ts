import { simulatorModbusDevice } from '@dcmms/protocol-adapters';
import type { DeviceConfigInput, SiteConfigInput } from '@dcmms/shared';

/** A one-inverter site reading the Modbus simulator, with the uplink pointing at `url`. */
export function simulatedSite(options: {
  readonly site?: string;
  readonly simPort: number;
  readonly url?: string;
  readonly bufferPath: string;
  readonly pollIntervalMs?: number;
  readonly alarms?: SiteConfigInput['alarms'];
  readonly buffer?: Record<string, unknown>;
  readonly uplink?: Record<string, unknown>;
  readonly devices?: DeviceConfigInput[];
}): SiteConfigInput {
  return {
    site: options.site ?? 'plant-01',
    devices: options.devices ?? [
      simulatorModbusDevice('pv-inverter', { host: '127.0.0.1', port: options.simPort }, { name: 'inv1', pollIntervalMs: options.pollIntervalMs ?? 200, asset: 'inverter-1', extra: { timeoutMs: 500, retries: 0 } }),
    ],
    alarms: options.alarms ?? [],
    buffer: { path: options.bufferPath, commitIntervalMs: 100, ...options.buffer },
    ...(options.url === undefined
      ? {}
      : { uplink: { url: options.url, reconnect: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 }, ackTimeoutMs: 10_000, ...options.uplink } }),
    http: { enabled: false, port: 0 },
  } as SiteConfigInput;
}
