import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '@dcmms/protocol-adapters';
import {
  createFileCredentialVerifier,
  createSqlCompletenessLedger,
  createSqliteTelemetryStore,
  migrateToLatest,
  openRegistryDatabase,
  startEmbeddedGateway,
  writeSiteCredential,
} from '@dcmms/cloud';
import type { AlertEventSink, EdgeResultSink, SiteStatusSink } from '@dcmms/cloud';
import { parseSiteConfig } from '@dcmms/shared';
import type { AlertEvent, CommandResult, ConfigResult, SiteStatus } from '@dcmms/shared';
import { createEdgeAgent } from '../src/index.js';
import { usePlantFixture } from './support/plant-fixture.js';
import { simulatedSite } from './support/site.js';
import { waitFor } from './support/wait.js';

/**
 * The agent against the real cloud gateway (the colleague's, embedded mode: aedes with site
 * credentials, topic ACL, decoding, PUBACK after the store kept it), through its public API.
 */
const SITE = 'plant-01';
const plant = usePlantFixture(4);

describe('edge agent -> cloud gateway (embedded)', () => {
  it('is authenticated, stores every tag, proves completeness, and round-trips alarms, status, config and commands', async () => {
    const credentials = join(plant.dir.path, 'credentials.json');
    await writeSiteCredential(credentials, SITE, 'tenant-1', 'site-secret');
    const registry = openRegistryDatabase(`sqlite:${join(plant.dir.path, 'registry.db')}`);
    plant.defer(() => registry.close());
    await migrateToLatest(registry);
    const store = createSqliteTelemetryStore(join(plant.dir.path, 'telemetry.db'));
    plant.defer(() => store.close());
    const ledger = createSqlCompletenessLedger(registry);
    const alerts: AlertEvent[] = [];
    const statuses: SiteStatus[] = [];
    const commandResults: CommandResult[] = [];
    const configResults: ConfigResult[] = [];
    const alertSink: AlertEventSink = { applyAlertEvents: async (events) => void alerts.push(...events) };
    const statusSink: SiteStatusSink = { applySiteStatus: async (s) => void statuses.push(s) };
    const resultSink: EdgeResultSink = {
      applyCommandResult: async (r) => void commandResults.push(r),
      applyConfigResult: async (r) => void configResults.push(r),
    };
    const embedded = await startEmbeddedGateway({
      credentials: createFileCredentialVerifier(credentials),
      store,
      ledger,
      alerts: alertSink,
      status: statusSink,
      results: resultSink,
      deadLetterDir: join(plant.dir.path, 'dead-letters'),
      tcp: { host: '127.0.0.1', port: 0 },
    });
    plant.defer(() => embedded.close());

    const input = simulatedSite({
      simPort: plant.sim.port,
      url: `mqtt://127.0.0.1:${embedded.gateway.tcpPort}`,
      bufferPath: join(plant.dir.path, 'buffer.db'),
      alarms: [{ id: 'volt', type: 'threshold', tag: 'inv1.ac_voltage_l1', hi: 1, severity: 'high' }],
    });
    const config = parseSiteConfig(input);
    const agent = createEdgeAgent({ config, baseDir: plant.dir.path, adapterFactory: (d) => createAdapter(d), credentials: { password: 'site-secret' } });
    plant.defer(() => agent.stop());
    const startedAt = Date.now();
    await agent.start();

    const tags = config.devices[0]!.tags.map((t) => t.name);
    await waitFor(async () => (await store.latest(SITE)).length === tags.length, 'a row for every tag in the store', 30_000, 200);
    await waitFor(() => alerts.some((a) => a.alertId === 'volt:hi' && a.kind === 'raised'), 'the alarm in the cloud');
    await waitFor(() => statuses.some((s) => s.state === 'online' && s.site === SITE), 'online status');

    // Config from the cloud: applied, answered on results.
    const { uplink: _u, http: _h, buffer: _b, ...body } = input as Record<string, unknown>;
    await embedded.downlink.publish(SITE, 'config', Buffer.from(JSON.stringify({ site: SITE, version: 7, issuedAt: Date.now(), body })), { retain: true });
    await waitFor(() => configResults.some((r) => r.version === 7), 'config result');
    expect(configResults.find((r) => r.version === 7)).toMatchObject({ site: SITE, status: 'applied' });
    // A command: carried out, answered.
    const id = randomUUID();
    const command = { id, site: SITE, issuedAt: Date.now(), expiresAt: Date.now() + 30_000, actor: 'erin', action: { type: 'write', tag: 'inv1.power_limit', value: 42 } };
    await embedded.downlink.publish(SITE, 'commands', Buffer.from(JSON.stringify(command)));
    await waitFor(() => commandResults.some((r) => r.commandId === id), 'command result');
    expect(commandResults.find((r) => r.commandId === id)).toMatchObject({ status: 'succeeded' });
    // The operator acknowledges from the cloud.
    await embedded.downlink.publish(SITE, 'alert-actions', Buffer.from(JSON.stringify({ site: SITE, alertId: 'volt:hi', occurrence: 1, action: 'acknowledge', actor: 'erin', ts: Date.now() })));
    await waitFor(() => alerts.some((a) => a.kind === 'acknowledged' && a.actor === 'erin'), 'acknowledged upstream');

    // Completeness: every seq the agent acknowledged is in the ledger, no holes.
    await waitFor(() => agent.buffer.stats().backlogBatches === 0, 'backlog empty');
    const report = await ledger.report(SITE, startedAt - 60_000, Date.now() + 60_000);
    expect(report.missing).toEqual([]);
    expect(report.gaps).toEqual([]);
    expect(report.batches).toBeGreaterThanOrEqual(agent.uplink!.stats().acked.live);
    // What is stored equals what was acknowledged (stopped first, so nothing moves meanwhile).
    await agent.stop();
    const rows = await store.range({ site: SITE, tags, from: startedAt - 60_000, to: Date.now() + 60_000, limit: 1_000_000 });
    expect(rows.length).toBe(agent.uplink!.stats().ackedReadings.live + agent.uplink!.stats().ackedReadings.backfill);
    expect(embedded.deadLetters()).toEqual([]);
  }, 90_000);
});
