import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { mqttTopic, parseSiteConfig } from '@dcmms/shared';
import { createEdgeAgent, resolveUplinkCredentials } from '../src/index.js';
import { tempDir } from './support/temp-dir.js';
import { sleep, usePlantFixture } from './support/plant-fixture.js';
import { CloudSink } from './support/cloud-sink.js';
import { selfSignedCertificate, startMosquitto } from './support/mosquitto.js';
import { simulatedSite } from './support/site.js';
import { recordingAdapters } from './support/recording-adapters.js';
import { keyOf } from './support/readings.js';
import { waitFor } from './support/wait.js';

/**
 * The agent against mosquitto, a broker no one here wrote, started by the test itself over
 * TLS with a password file (plain test: part of `npm test`; mosquitto is in .ci/run's list).
 */
const SITE = 'plant-01';
const plant = usePlantFixture(21);

describe('edge agent with mosquitto (TLS, per-site password)', () => {
  it('delivers everything across a broker restart, takes a downlink action, and is refused with a wrong secret', async () => {
    const tls = selfSignedCertificate(plant.dir.path);
    const broker = await startMosquitto(plant.dir.path, { tls, users: { [SITE]: 'site-secret', cloud: 'cloud-secret' } });
    plant.defer(() => broker.stop());
    const ca = readFileSync(tls.cert);
    const url = `mqtts://127.0.0.1:${broker.port}`;

    // "The cloud": a persistent-session subscriber, so the broker queues for it across the restart.
    const sink = new CloudSink();
    const cloud = mqtt.connect(url, { ca, username: 'cloud', password: 'cloud-secret', clientId: 'cloud-sink', clean: false, reconnectPeriod: 200 });
    plant.defer(() => cloud.endAsync(true));
    cloud.on('message', (topic, payload) => sink.accept(topic, payload));
    await new Promise<void>((resolve, reject) => cloud.once('connect', () => resolve()).once('error', reject));
    await cloud.subscribeAsync(`dcmms/v1/${SITE}/+`, { qos: 1 });

    const config = parseSiteConfig(
      simulatedSite({
        simPort: plant.sim.port,
        url,
        bufferPath: join(plant.dir.path, 'buffer.db'),
        alarms: [{ id: 'volt', type: 'threshold', tag: 'inv1.ac_voltage_l1', hi: 1 }],
        uplink: { tls: { ca: tls.cert }, password: { env: 'DCMMS_TEST_SECRET' } },
      }),
    );
    const { factory, produced } = recordingAdapters();
    const credentials = resolveUplinkCredentials(config.uplink!, SITE, plant.dir.path, { DCMMS_TEST_SECRET: 'site-secret' });
    const agent = createEdgeAgent({ config, baseDir: plant.dir.path, adapterFactory: factory, credentials });
    plant.defer(() => agent.stop());
    await agent.start();
    await waitFor(() => sink.uniqueBatches().length >= 10 && sink.alerts.length >= 1, 'telemetry and the alarm through mosquitto');
    expect(sink.statuses.some((s) => s.state === 'online')).toBe(true);

    // The broker goes away for 10 s and comes back.
    await broker.stop();
    await sleep(10_000);
    expect(agent.buffer.stats().backlogBatches).toBeGreaterThan(10);
    await broker.start();
    await waitFor(() => agent.uplink!.isConnected(), 'agent reconnected', 20_000);
    await waitFor(() => cloud.connected, 'cloud reconnected', 20_000);

    // An operator acknowledges the alarm from the cloud side.
    await cloud.publishAsync(mqttTopic(SITE, 'alert-actions'), JSON.stringify({ site: SITE, alertId: 'volt:hi', occurrence: 1, action: 'acknowledge', actor: 'dave', ts: Date.now() }), { qos: 1 });
    await waitFor(() => agent.engine().lifecycleOf('volt:hi')?.state === 'acked_active', 'ack applied');

    await sleep(2000);
    const cut = Date.now();
    await waitFor(
      () => {
        const got = sink.readingKeys();
        return produced.every((r) => r.ts > cut || got.has(keyOf(r)));
      },
      'every reading produced before the cut',
      60_000,
      200,
    );
    const seqs = sink.uniqueBatches().map((x) => x.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(sink.gaps).toEqual([]);
    expect(sink.errors).toEqual([]);
    await waitFor(() => sink.alerts.some((e) => e.kind === 'acknowledged' && e.actor === 'dave'), 'ack event upstream');

    // The same site with a wrong secret is refused by mosquitto, and keeps retrying.
    const other = tempDir();
    plant.defer(() => other.cleanup());
    const intruder = createEdgeAgent({
      config: parseSiteConfig(simulatedSite({ simPort: plant.sim.port, url, bufferPath: join(other.path, 'b.db'), uplink: { tls: { ca: tls.cert }, clientId: 'intruder' } })),
      baseDir: other.path,
      adapterFactory: recordingAdapters().factory,
      credentials: { username: SITE, password: 'wrong', ca },
    });
    plant.defer(() => intruder.stop());
    await intruder.start();
    await waitFor(() => intruder.uplink!.stats().connectFailures >= 2, 'refused');
    expect(intruder.uplink!.isConnected()).toBe(false);
    expect(intruder.uplink!.stats().lastError).toMatch(/Not authorized|Bad User Name or Password/i);
  }, 180_000);
});
