import { createAdapter } from '@dcmms/protocol-adapters';
import { createEdgeAgent, createOpsServer, resolveUplinkCredentials, type EdgeAgent } from '@dcmms/edge-agent';
import { parseSiteConfig, type Logger, type SiteConfigInput } from '@dcmms/shared';
import { writeAtomic, type DataLayout } from './data-dir.js';
import { listenOrExplain } from './ports.js';

export interface DemoEdge {
  readonly agent: EdgeAgent;
  /** The agent's /healthz /readyz /metrics /status. */
  readonly opsUrl: string;
  /** Stops polling, commits, flushes the uplink (bounded), closes the buffer and the HTTP port. */
  stop(): Promise<void>;
}

/**
 * The site file of the demo edge: only what is local to it. Devices and alarm rules arrive
 * from the cloud as a versioned config (applied, saved next to the buffer, reported back), as
 * for an edge box provisioned with nothing but its identity and uplink.
 */
export function demoEdgeSiteFile(o: { readonly siteId: string; readonly mqttUrl: string; readonly httpPort: number }): SiteConfigInput {
  return {
    site: o.siteId,
    buffer: { path: 'buffer.db', commitIntervalMs: 200 },
    uplink: {
      url: o.mqttUrl,
      password: { file: 'site-secret' },
      reconnect: { initialMs: 500, maxMs: 5000, multiplier: 2, jitter: 0.5 },
      statusIntervalMs: 10_000,
    },
    http: { enabled: true, host: '127.0.0.1', port: o.httpPort },
  };
}

export async function startDemoEdge(o: { readonly layout: DataLayout; readonly siteId: string; readonly mqttUrl: string; readonly httpPort: number; readonly logger: Logger }): Promise<DemoEdge> {
  const input = demoEdgeSiteFile(o);
  // The file is what `dcmms-edge run --config` would read; the agent here gets the same object.
  writeAtomic(o.layout.edgeSiteFile, `# Written by npm start: the demo edge's own settings (devices and alarms come from the cloud).\n${JSON.stringify(input, null, 2)}\n`);
  const config = parseSiteConfig(input, o.layout.edgeSiteFile);
  const baseDir = o.layout.edgeDir;
  const log = o.logger.child({ component: 'edge' });
  const agent = createEdgeAgent({
    config,
    baseDir,
    credentials: resolveUplinkCredentials(config.uplink!, config.site, baseDir),
    logger: log,
    adapterFactory: (device) => createAdapter(device, { logger: log.child({ component: 'adapter', device: device.name }) }),
  });
  const ops = createOpsServer(() => agent, log);
  let opsUrl: string;
  try {
    opsUrl = await listenOrExplain({ host: config.http.host, port: config.http.port, what: 'the edge agent HTTP endpoints', env: 'DCMMS_EDGE_HTTP_PORT' }, () => ops.listen({ host: config.http.host, port: config.http.port }));
    await agent.start();
  } catch (err) {
    await agent.stop().catch(() => undefined);
    await ops.close();
    throw err;
  }
  return {
    agent,
    opsUrl,
    async stop() {
      await agent.stop();
      await ops.close();
    },
  };
}
