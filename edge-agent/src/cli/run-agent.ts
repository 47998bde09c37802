import { createModbusAdapter } from '@dcmms/protocol-adapters/modbus';
import type { DeviceAdapter } from '@dcmms/protocol-adapters';
import { createLogger, createMetricsRegistry, describeError, isDcmmsError } from '@dcmms/shared';
import type { Logger } from '@dcmms/shared';
import type { FastifyInstance } from 'fastify';
import { createEdgeAgent } from '../agent/create-agent.js';
import type { EdgeAgent } from '../agent/create-agent.js';
import { loadSiteConfig } from '../config/load-config.js';
import { resolveUplinkCredentials } from '../config/secrets.js';
import { createOpsServer } from '../ops/http-server.js';
import type { OpsSource } from '../ops/http-server.js';
import { isEdgeError } from '../errors.js';

const RETRY_OPEN_MS = 10_000;

/**
 * `dcmms-edge run`: wires the agent to real adapters, the system clock and the local HTTP
 * port, then waits for a signal. A buffer that cannot be opened (disk full, I/O error) is
 * retried in place while /readyz says why, instead of exiting into a crash loop.
 */
export async function runAgent(file: string, logLevel?: string): Promise<void> {
  const { config, baseDir } = loadSiteConfig(file);
  const log: Logger = createLogger({ name: 'dcmms-edge', ...(logLevel === undefined ? {} : { level: logLevel }), base: { site: config.site } });
  const credentials = config.uplink === undefined ? undefined : resolveUplinkCredentials(config.uplink, config.site, baseDir);
  const registry = createMetricsRegistry({ prefix: 'dcmms_edge_' });

  let agent: EdgeAgent | null = null;
  let waiting = 'starting';
  const source = (): OpsSource =>
    agent ?? {
      registry,
      readiness: () => ({ ready: false, reasons: [waiting] }),
      status: () => ({ site: config.site, ready: false, notReady: [waiting] }),
    };
  let server: FastifyInstance | null = null;
  if (config.http.enabled) {
    server = createOpsServer(source, log);
    const address = await server.listen({ host: config.http.host, port: config.http.port });
    log.info({ event: 'http_listening', address }, `operations endpoints on ${address}`);
  }

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    log.info({ event: 'shutdown', signal }, 'stopping');
    try {
      await agent?.stop();
      await server?.close();
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exitCode = 1;
    }
    process.exit();
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  while (agent === null && !stopping) {
    try {
      agent = createEdgeAgent({
        config,
        baseDir,
        credentials,
        logger: log,
        registry,
        adapterFactory: async (device): Promise<DeviceAdapter> => {
          const deps = { logger: log.child({ component: 'adapter', device: device.name }) };
          if (device.protocol !== 'opcua') return createModbusAdapter(device, deps);
          // node-opcua costs about 80 MB of memory: loaded only for a site that has an OPC-UA device.
          const { createAdapter } = await import('@dcmms/protocol-adapters');
          return createAdapter(device, deps);
        },
      });
    } catch (err) {
      if (!(isEdgeError(err, 'DCMMS_EDGE_BUFFER_DISK_FULL') || isEdgeError(err, 'DCMMS_EDGE_BUFFER_IO'))) throw err;
      waiting = `buffer: ${describeError(err)}`;
      log.error({ event: 'buffer_unavailable', err, retryInMs: RETRY_OPEN_MS }, `${describeError(err)}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_OPEN_MS));
    }
  }
  if (agent === null) return;
  try {
    await agent.start();
  } catch (err) {
    log.fatal({ err }, `the agent could not start: ${isDcmmsError(err) ? err.message : describeError(err)}`);
    await agent.stop().catch(() => undefined);
    await server?.close();
    throw err;
  }
}
