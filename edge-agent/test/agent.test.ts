import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAdapter, simulatorOpcuaDevice, startOpcuaSimulator } from '@dcmms/protocol-adapters';
import { mqttTopic, parseSiteConfig } from '@dcmms/shared';
import type { SiteConfigInput } from '@dcmms/shared';
import { createEdgeAgent } from '../src/index.js';
import type { EdgeAgent } from '../src/index.js';
import { usePlantFixture } from './support/plant-fixture.js';
import { CloudSink } from './support/cloud-sink.js';
import { startTestBroker } from './support/aedes-broker.js';
import type { TestBroker } from './support/aedes-broker.js';
import { simulatedSite } from './support/site.js';
import { waitFor } from './support/wait.js';

const SITE = 'plant-01';
const plant = usePlantFixture(7);

async function broker(sink: CloudSink, port?: number): Promise<TestBroker> {
  const b = await startTestBroker({ pubackDelayMs: 5, onPublish: (t, p) => sink.accept(t, p), ...(port === undefined ? {} : { port }) });
  plant.defer(() => b.stop());
  return b;
}

function agentFor(input: SiteConfigInput): EdgeAgent {
  const agent = createEdgeAgent({ config: parseSiteConfig(input), baseDir: plant.dir.path, adapterFactory: (d) => createAdapter(d) });
  plant.defer(() => agent.stop());
  return agent;
}

const raisedHi = { id: 'volt', type: 'threshold', tag: 'inv1.ac_voltage_l1', hi: 1, severity: 'high' } as const;

describe('edge agent end to end (Modbus simulator -> agent -> aedes)', () => {
  it('runs a simulated site: every tag arrives, alarms go up first, status is online', async () => {
    const sink = new CloudSink();
    const b = await broker(sink);
    const input = simulatedSite({ simPort: plant.sim.port, url: b.url, bufferPath: join(plant.dir.path, 'buffer.db'), alarms: [raisedHi] });
    const agent = agentFor(input);
    await agent.start();
    await waitFor(() => sink.alerts.length > 0 && sink.uniqueBatches().length >= 5, 'alarms and telemetry');
    const tags = new Set(parseSiteConfig(input).devices[0]!.tags.map((t) => t.name));
    const seen = new Set(sink.uniqueBatches().flatMap((x) => x.readings.map((r) => r.tag)));
    expect(seen).toEqual(tags);
    expect(sink.alerts[0]).toMatchObject({ site: SITE, alertId: 'volt:hi', kind: 'raised', state: 'unacked_active', asset: 'inverter-1', eventSeq: 0 });
    expect(sink.statuses[0]).toMatchObject({ state: 'online', appliedConfigVersion: null, devices: [{ id: 'inv1', state: expect.any(String) }] });
    expect(sink.errors).toEqual([]);
    const status = agent.status();
    expect(status).toMatchObject({ site: SITE, ready: true, alarms: { unacknowledged: 1, active: 1 } });
    const metrics = await agent.registry.metrics();
    expect(metrics).toMatch(/dcmms_edge_readings_total\{device="inv1"\} [1-9]/);
    expect(metrics).toMatch(/dcmms_edge_uplink_connected 1/);
    expect(metrics).toMatch(/dcmms_edge_alarms\{state="unacked_active",severity="high"\} 1/);
    expect(metrics).toMatch(/dcmms_edge_poll_latency_seconds_count\{device="inv1"\} [1-9]/);
  });

  it('alarms offline, sends them when the link returns, applies a later cloud ack but not an old one', async () => {
    const sink = new CloudSink();
    const probe = await startTestBroker();
    const port = probe.port;
    await probe.stop();
    const agent = agentFor(
      simulatedSite({
        simPort: plant.sim.port,
        url: `mqtt://127.0.0.1:${port}`,
        bufferPath: join(plant.dir.path, 'buffer.db'),
        alarms: [{ id: 'comm', type: 'comm_loss', device: 'inv1', afterMs: 500, severity: 'critical' }],
      }),
    );
    await agent.start();
    await waitFor(() => agent.status().devices[0]?.state === 'connected', 'device connected');
    // The device drops off while the cloud is unreachable: the alarm is raised locally.
    const down = plant.sim.restart(2500);
    await waitFor(() => agent.engine().lifecycleOf('comm')?.state === 'unacked_active', 'offline raise', 20_000);
    expect(agent.journal.stats().unsent).toBeGreaterThanOrEqual(1);
    await down;
    await waitFor(() => agent.engine().lifecycleOf('comm')?.state === 'unacked_rtn', 'device back', 20_000);

    const b = await broker(sink, port);
    await waitFor(() => sink.alerts.length >= 2, 'alarm events delivered');
    expect(sink.alerts.map((e) => `${e.kind} ${e.occurrence}`)).toEqual(['raised 1', 'cleared 1']);
    // The device goes away again: occurrence 2.
    await plant.sim.stop();
    await waitFor(() => agent.engine().lifecycleOf('comm')?.occurrence === 2, 'second occurrence', 20_000);
    // An operator's ack of occurrence 1 arrives late: it must not acknowledge occurrence 2.
    const ack = (occurrence: number) => JSON.stringify({ site: SITE, alertId: 'comm', occurrence, action: 'acknowledge', actor: 'alice', ts: Date.now() });
    await b.publish(mqttTopic(SITE, 'alert-actions'), ack(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(agent.engine().lifecycleOf('comm')?.state).toBe('unacked_active');
    await b.publish(mqttTopic(SITE, 'alert-actions'), ack(2));
    await waitFor(() => agent.engine().lifecycleOf('comm')?.state === 'acked_active', 'ack applied');
    await waitFor(() => sink.alerts.some((e) => e.kind === 'acknowledged'), 'ack event upstream');
    expect(sink.alerts.filter((e) => e.kind === 'acknowledged')).toEqual([expect.objectContaining({ occurrence: 2, actor: 'alice', state: 'acked_active' })]);
    const seqs = sink.alerts.map((e) => e.eventSeq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  }, 90_000);

  it('a shelve from the cloud expires on its own and the still-active alarm comes back', async () => {
    const sink = new CloudSink();
    const b = await broker(sink);
    const agent = agentFor(simulatedSite({ simPort: plant.sim.port, url: b.url, bufferPath: join(plant.dir.path, 'buffer.db'), alarms: [raisedHi] }));
    await agent.start();
    await waitFor(() => agent.engine().lifecycleOf('volt:hi')?.state === 'unacked_active', 'raised');
    const until = Date.now() + 1500;
    await b.publish(mqttTopic(SITE, 'alert-actions'), JSON.stringify({ site: SITE, alertId: 'volt:hi', occurrence: 1, action: 'shelve', actor: 'bob', shelvedUntil: until, ts: Date.now() }));
    await waitFor(() => agent.engine().lifecycleOf('volt:hi')?.state === 'shelved', 'shelved');
    await waitFor(() => agent.engine().lifecycleOf('volt:hi')?.state === 'unacked_active', 'expired', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    await waitFor(() => sink.alerts.length >= 4, 'events upstream');
    expect(sink.alerts.map((e) => `${e.kind} ${e.state} ${e.occurrence}`)).toEqual(['raised unacked_active 1', 'shelved shelved 1', 'unshelved normal 1', 'raised unacked_active 2']);
    expect(sink.alerts[2]).toMatchObject({ actor: 'edge', comment: 'shelve expired' });
  });

  it('rejects a bad config from the downlink with the reason and keeps running the old one; applies a good one', async () => {
    const sink = new CloudSink();
    const b = await broker(sink);
    const input = simulatedSite({ simPort: plant.sim.port, url: b.url, bufferPath: join(plant.dir.path, 'buffer.db') });
    const agent = agentFor(input);
    await agent.start();
    await waitFor(() => sink.uniqueBatches().length > 0, 'telemetry');
    const { uplink: _u, http: _h, buffer: _b, ...body } = input as Record<string, unknown>;
    const envelope = (version: number, b2: unknown) => JSON.stringify({ site: SITE, version, issuedAt: Date.now(), body: b2 });

    await b.publish(mqttTopic(SITE, 'config'), envelope(2, { ...body, alarms: [{ id: 'x', type: 'threshold', tag: 'nope', hi: 1 }] }), true);
    await waitFor(() => sink.results.length === 1, 'rejection');
    expect(sink.results[0]).toMatchObject({ site: SITE, version: 2, status: 'rejected' });
    expect(String(sink.results[0]!['reason'])).toContain('alarms[0].tag: no tag named "nope"');
    expect(agent.configVersion()).toBeNull();
    const before = sink.uniqueBatches().length;
    await waitFor(() => sink.uniqueBatches().length > before + 3, 'still polling after the rejection');

    await b.publish(mqttTopic(SITE, 'config'), envelope(3, { ...body, uplink: { url: 'mqtt://elsewhere:1883' } }), true);
    await waitFor(() => sink.results.length === 2, 'second rejection');
    expect(sink.results[1]).toMatchObject({ version: 3, status: 'rejected', reason: expect.stringContaining('uplink can only be changed') });

    await b.publish(mqttTopic(SITE, 'config'), envelope(4, { ...body, alarms: [raisedHi] }), true);
    await waitFor(() => sink.results.length === 3, 'applied');
    expect(sink.results[2]).toMatchObject({ version: 4, status: 'applied' });
    expect(agent.configVersion()).toBe(4);
    await waitFor(() => sink.alerts.some((e) => e.alertId === 'volt:hi'), 'the new alarm rule works');
    // The buffer was not touched: seqs continue without a hole.
    const seqs = sink.uniqueBatches().map((x) => x.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it('carries out writes to writable tags only, refuses the rest, and reports expired commands', async () => {
    const sink = new CloudSink();
    const b = await broker(sink);
    const agent = agentFor(simulatedSite({ simPort: plant.sim.port, url: b.url, bufferPath: join(plant.dir.path, 'buffer.db') }));
    await agent.start();
    await waitFor(() => agent.uplink!.isConnected() && agent.status().devices[0]?.state === 'connected', 'connected');
    const command = (tag: string, value: number | boolean, expiresIn = 30_000) => {
      const id = randomUUID();
      return { id, json: JSON.stringify({ id, site: SITE, issuedAt: Date.now(), expiresAt: Date.now() + expiresIn, actor: 'carol', action: { type: 'write', tag, value } }) };
    };
    const write = command('inv1.power_limit', 50);
    const readOnly = command('inv1.ac_power', 5);
    const unknown = command('inv1.nope', 5);
    const expired = command('inv1.power_limit', 60, -1000);
    for (const c of [write, readOnly, unknown, expired]) await b.publish(mqttTopic(SITE, 'commands'), c.json);
    await b.publish(mqttTopic(SITE, 'commands'), '{"not":"a command"}');
    await waitFor(() => sink.results.length >= 4, 'results');
    const byId = new Map(sink.results.map((r) => [r['commandId'], r]));
    expect(byId.get(write.id)).toMatchObject({ status: 'succeeded' });
    expect(byId.get(readOnly.id)).toMatchObject({ status: 'rejected', reason: 'tag "inv1.ac_power" is not writable' });
    expect(byId.get(unknown.id)).toMatchObject({ status: 'rejected', reason: 'no tag named "inv1.nope" at this site' });
    expect(byId.get(expired.id)).toMatchObject({ status: 'expired' });
    await waitFor(() => sink.uniqueBatches().some((x) => x.readings.some((r) => r.tag === 'inv1.power_limit' && r.value === 50)), 'the written value read back');
    // A redelivered command is not carried out twice: its result is sent again.
    await b.publish(mqttTopic(SITE, 'commands'), write.json);
    await waitFor(() => sink.results.filter((r) => r['commandId'] === write.id).length === 2, 'result resent');
    expect(await agent.registry.metrics()).toMatch(/dcmms_edge_commands_total\{status="invalid"\} 1/);
  });

  it('runs an OPC-UA device next to the Modbus one (subscriptions and polled tags)', async () => {
    const opcua = await startOpcuaSimulator({ profile: 'wind-turbine', seed: 2 });
    plant.defer(() => opcua.stop());
    const sink = new CloudSink();
    const b = await broker(sink);
    const base = simulatedSite({ simPort: plant.sim.port, url: b.url, bufferPath: join(plant.dir.path, 'buffer.db') });
    const wt = simulatorOpcuaDevice('wind-turbine', opcua.endpoint, { name: 'wt1', asset: 'turbine-1' }) as { tags: Array<Record<string, unknown>> };
    // Half the tags polled, half subscribed.
    wt.tags = wt.tags.map((t, i) => (i % 2 === 0 ? { ...t, pollIntervalMs: 500 } : t));
    const agent = agentFor({ ...base, devices: [...(base.devices ?? []), wt as never] });
    await agent.start();
    const wtTags = new Set(wt.tags.map((t) => String(t['name'])));
    await waitFor(() => {
      const seen = new Set(sink.uniqueBatches().flatMap((x) => x.readings.filter((r) => r.tag.startsWith('wt1.')).map((r) => r.tag)));
      return seen.size === wtTags.size;
    }, 'every OPC-UA tag upstream', 60_000);
    expect(agent.status().devices.map((d) => `${d.id} ${d.state}`).sort()).toEqual(['inv1 connected', 'wt1 connected']);
    const bad = sink.uniqueBatches().flatMap((x) => x.readings.filter((r) => r.tag.startsWith('wt1.') && r.quality === 'bad'));
    expect(bad).toEqual([]);
  }, 90_000);
});
