import {
  buildApi,
  createRegistry,
  createSqlCompletenessLedger,
  createSqliteTelemetryStore,
  migrateToLatest,
  openRegistryDatabase,
  registryAlertEventSink,
  registryCredentialVerifier,
  registryEdgeResultSink,
  registrySiteDirectory,
  registrySiteStatusSink,
  resolveJwtSecret,
  startEmbeddedGateway,
  type EmbeddedGateway,
  type ZApp,
} from '@dcmms/cloud';
import type { Logger } from '@dcmms/shared';
import { closeAll, type Backend, type CloudServices } from './backend.js';
import type { DataLayout } from './data-dir.js';
import type { DemoOptions } from './options.js';
import { listenOrExplain } from './ports.js';
import { reachableHost } from './summary.js';

/**
 * `npm start`: registry and telemetry in SQLite files, the gateway writing through the
 * ingest applier in-process (no Kafka), the API in the same process. The same code paths as
 * the production roles, behind the ports (TelemetryStore, registry sinks, DownlinkPublisher).
 */
export async function openEmbeddedBackend(options: DemoOptions, layout: DataLayout, logger: Logger): Promise<Backend> {
  const database = openRegistryDatabase(`sqlite:${layout.registry}`);
  try {
    await migrateToLatest(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  const registry = createRegistry(database, { logger });
  let gateway: EmbeddedGateway | null = null;
  let app: ZApp | null = null;
  let telemetry: ReturnType<typeof createSqliteTelemetryStore> | null = null;

  const start = async (): Promise<CloudServices> => {
    telemetry = createSqliteTelemetryStore(layout.telemetry);
    const ledger = createSqlCompletenessLedger(database);
    const mqtt = { host: options.mqttHost, port: options.mqttPort, what: 'the MQTT gateway', env: 'DCMMS_MQTT_PORT' };
    const store = telemetry;
    gateway = await listenOrExplain(mqtt, () =>
      startEmbeddedGateway({
        credentials: registryCredentialVerifier(registry),
        store,
        ledger,
        alerts: registryAlertEventSink(registry),
        status: registrySiteStatusSink(registry),
        results: registryEdgeResultSink(registry),
        directory: registrySiteDirectory(registry),
        deadLetterDir: layout.deadLetters,
        tcp: { host: options.mqttHost, port: options.mqttPort },
        logger: logger.child({ component: 'gateway' }),
      }),
    );
    const jwtSecret = await resolveJwtSecret(registry, options.jwtSecret);
    app = buildApi({ registry, telemetry: store, ledger, downlink: gateway.downlink, logger: logger.child({ component: 'api' }) }, { jwtSecret });
    const api = app;
    await listenOrExplain({ host: options.apiHost, port: options.apiPort, what: 'the API', env: 'DCMMS_API_PORT' }, () => api.listen({ host: options.apiHost, port: options.apiPort }));
    const apiPort = (api.server.address() as { port: number }).port;
    return {
      apiUrl: `http://${reachableHost(options.apiHost)}:${apiPort}`,
      mqttUrl: `mqtt://${reachableHost(options.mqttHost)}:${gateway.gateway.tcpPort}`,
      downlink: gateway.downlink,
      logFiles: [],
      engines: null,
    };
  };

  return {
    registry,
    start,
    async close() {
      const warn = (what: string, err: unknown) => logger.warn({ err }, `closing ${what} failed`);
      // Requests in flight get a few seconds; then the remaining connections are cut.
      const force = setTimeout(() => app?.server.closeAllConnections(), 5000);
      await closeAll(
        [
          ['api', async () => app?.close()],
          ['gateway', async () => gateway?.close()],
          ['telemetry store', async () => telemetry?.close()],
          ['registry', () => database.close()],
        ],
        warn,
      );
      clearTimeout(force);
    },
  };
}
