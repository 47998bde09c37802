import type { EdgeAgent } from '@dcmms/edge-agent';
import { demoAssetTree, EXAMPLE_ASSET_KEY } from './assets.js';
import { closeAll, type Backend } from './backend.js';
import { dataLayout, lockDataDir, readState, writeState } from './data-dir.js';
import { startDemoEdge, type DemoEdge } from './edge.js';
import { openEmbeddedBackend } from './embedded-backend.js';
import { openEnginesBackend } from './engines-backend.js';
import { stopLeftoverRoles } from './leftover-roles.js';
import { openDemoLogger } from './logger.js';
import { parseDemoOptions, type DemoOptions, type DemoOptionsInput } from './options.js';
import { DEMO_ALARM, demoSiteConfigBody, demoTagNames } from './plant.js';
import { assertPortsFree } from './ports.js';
import { seedDemo } from './seed.js';
import { startDemoSimulators, type DemoSimulators } from './simulators.js';
import type { DemoSummary } from './summary.js';

export interface DemoHandle {
  readonly options: DemoOptions;
  readonly summary: DemoSummary;
  /** The demo's edge agent (tests look at its alarm engine). */
  readonly agent: EdgeAgent;
  /** Edge first (it flushes to the gateway), then the cloud, then the simulators. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The whole demo: simulators, registry (seeded), gateway and API (in-process, or the
 * production roles on the engines), the config pushed down, then the edge agent. Whatever
 * started before a failure is stopped again before the error propagates.
 */
export async function startDemo(input: DemoOptionsInput, progress: (line: string) => void = () => undefined): Promise<DemoHandle> {
  const options = parseDemoOptions(input);
  const layout = dataLayout(options.dataDir);
  const unlock = lockDataDir(layout);
  const log = openDemoLogger(options, layout);
  const logger = log.logger;
  let simulators: DemoSimulators | null = null;
  let backend: Backend | null = null;
  let edge: DemoEdge | null = null;
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      await closeAll(
        [
          ['edge agent', async () => edge?.stop()],
          ['cloud', async () => backend?.close()],
          ['simulators', async () => simulators?.stop()],
        ],
        (what, err) => logger.warn({ err }, `stopping the ${what} failed`),
      );
      logger.info({ event: 'demo_stopped' }, 'demo stopped');
      await log.close();
      unlock();
    })());

  try {
    // Before the port checks: a killed start:engines run leaves its roles on the ports.
    if ((await stopLeftoverRoles(layout.rolePids, logger)) > 0) progress('stopped the cloud roles an earlier, killed run left behind');
    await assertPortsFree([
      { host: options.apiHost, port: options.apiPort, what: 'the API', env: 'DCMMS_API_PORT' },
      { host: options.mqttHost, port: options.mqttPort, what: 'the MQTT gateway', env: 'DCMMS_MQTT_PORT' },
      { host: '127.0.0.1', port: options.edgeHttpPort, what: 'the edge agent HTTP endpoints', env: 'DCMMS_EDGE_HTTP_PORT' },
    ]);
    progress('starting the device simulators');
    const state = readState(layout);
    simulators = await startDemoSimulators(state.simulatorPorts, layout.opcuaSimulatorPki, logger);
    writeState(layout, { ...readState(layout), simulatorPorts: { ...simulators.ports } });

    backend = options.mode === 'engines' ? await openEnginesBackend(options, layout, logger, progress) : await openEmbeddedBackend(options, layout, logger);
    progress('seeding the registry');
    const timing = { pollIntervalMs: options.pollIntervalMs, alarmDelayMs: options.alarmDelayMs };
    const seeded = await seedDemo(backend.registry, {
      siteId: options.siteId,
      username: options.adminUser,
      password: options.adminPassword,
      secretFile: layout.edgeSecret,
      configBody: demoSiteConfigBody(options.siteId, simulators.endpoints, timing),
    });
    logger.info({ event: 'seeded', changes: seeded.changes, configVersion: seeded.envelope.version }, seeded.changes.length > 0 ? `seeded: ${seeded.changes.join(', ')}` : 'registry already seeded');

    progress(options.mode === 'engines' ? 'starting the cloud roles' : 'starting the gateway and the API');
    const cloud = await backend.start();
    // Retained: the edge gets it when it subscribes, now or after any reconnect.
    await cloud.downlink.publish(options.siteId, 'config', Buffer.from(JSON.stringify(seeded.envelope), 'utf8'), { retain: true });

    progress('starting the edge agent');
    edge = await startDemoEdge({ layout, siteId: options.siteId, mqttUrl: cloud.mqttUrl, httpPort: options.edgeHttpPort, logger });

    const exampleKey = EXAMPLE_ASSET_KEY;
    const summary: DemoSummary = Object.freeze({
      mode: options.mode,
      apiUrl: cloud.apiUrl,
      docsUrl: `${cloud.apiUrl}/docs`,
      mqttUrl: cloud.mqttUrl,
      edgeUrl: edge.opsUrl,
      dataDir: layout.root,
      logFiles: [...(log.file ? [log.file] : []), ...cloud.logFiles],
      siteId: options.siteId,
      tagCount: demoTagNames().length,
      login: { username: seeded.admin.username, password: seeded.admin.password, passwordSource: seeded.admin.passwordSource },
      exampleAsset: { id: seeded.assetIds[exampleKey]!, name: demoAssetTree().find((a) => a.key === exampleKey)!.name },
      demoAlarm: { ruleId: DEMO_ALARM.ruleId, delayMs: options.alarmDelayMs },
      seeded: seeded.changes,
      engines: cloud.engines,
    });
    logger.info({ event: 'demo_ready', apiUrl: summary.apiUrl, mqttUrl: summary.mqttUrl, edgeUrl: summary.edgeUrl }, 'demo running');
    const agent = edge.agent;
    return { options, summary, agent, stop };
  } catch (err) {
    logger.error({ err }, 'demo failed to start');
    await stop();
    throw err;
  }
}
