import { createAdapter } from '@dcmms/protocol-adapters';
import { silentLogger } from '@dcmms/shared';
import type { Logger } from '@dcmms/shared';
import { loadSiteConfig } from '../config/load-config.js';
import { EdgeError } from '../errors.js';

/** One read of every tag of one device, printed as JSON lines; exit 1 if any reading is bad. */
export async function readDevice(file: string, deviceName: string, timeoutMs: number, out: (line: string) => void, logger: Logger = silentLogger): Promise<number> {
  const { config } = loadSiteConfig(file);
  const device = config.devices.find((d) => d.name === deviceName);
  if (device === undefined) {
    throw new EdgeError('DCMMS_EDGE_UNKNOWN_DEVICE', `no device named "${deviceName}" in ${file}; devices: ${config.devices.map((d) => d.name).join(', ') || 'none'}`);
  }
  const adapter = createAdapter(device, { logger });
  let timer: NodeJS.Timeout | undefined;
  try {
    const readings = await Promise.race([
      adapter.readOnce(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from ${deviceName} within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    for (const r of readings) out(JSON.stringify(r));
    return readings.some((r) => r.quality === 'bad') ? 1 : 0;
  } finally {
    if (timer) clearTimeout(timer);
    await adapter.stop();
  }
}
