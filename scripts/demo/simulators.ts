import { startModbusSimulator, startOpcuaSimulator } from '@dcmms/protocol-adapters';
import type { Logger } from '@dcmms/shared';
import { DEMO_DEVICES, type DemoEndpoints } from './plant.js';

export interface DemoSimulators {
  readonly endpoints: DemoEndpoints;
  /** Device name -> port, to remember for the next start. */
  readonly ports: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * One simulator per device, on loopback. Each tries the port it had last time (so the site
 * config, which names the addresses, stays the same version) and takes a free one if that
 * port is gone. The OPC-UA server keeps its certificate in the data folder (no temp folder
 * left behind by a kill -9).
 */
export async function startDemoSimulators(previous: Readonly<Record<string, number>>, opcuaPkiFolder: string, logger: Logger): Promise<DemoSimulators> {
  const stops: Array<() => Promise<void>> = [];
  const endpoints: Record<string, { host: string; port: number; endpoint?: string }> = {};
  const ports: Record<string, number> = {};
  const onPort = async <T>(name: string, start: (port: number) => Promise<T>): Promise<T> => {
    const wanted = previous[name] ?? 0;
    try {
      return await start(wanted);
    } catch (err) {
      if (wanted === 0) throw err;
      logger.warn({ device: name, port: wanted, err: (err as Error).message }, 'simulator port of the last run is taken; using a free one (the site config gets a new version)');
      return start(0);
    }
  };
  try {
    for (const d of DEMO_DEVICES) {
      const log = logger.child({ component: 'simulator', device: d.name });
      if (d.protocol === 'opcua') {
        const sim = await onPort(d.name, (port) => startOpcuaSimulator({ profile: d.profile, seed: d.seed, port, pkiFolder: opcuaPkiFolder, logger: log }));
        stops.push(() => sim.stop());
        endpoints[d.name] = { host: HOST, port: sim.port, endpoint: sim.endpoint };
        ports[d.name] = sim.port;
      } else {
        const sim = await onPort(d.name, (port) => startModbusSimulator({ profile: d.profile, seed: d.seed, host: HOST, port, logger: log }));
        stops.push(() => sim.stop());
        endpoints[d.name] = { host: HOST, port: sim.port };
        ports[d.name] = sim.port;
      }
    }
  } catch (err) {
    await Promise.allSettled(stops.map((s) => s()));
    throw err;
  }
  return {
    endpoints,
    ports,
    async stop() {
      await Promise.allSettled(stops.map((s) => s()));
    },
  };
}
