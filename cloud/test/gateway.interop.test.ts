import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTelemetryBatch } from '@dcmms/shared';
import { createFileCredentialVerifier, writeSiteCredential } from '../src/gateway/credentials-file.js';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { createInProcessDownlink } from '../src/downlink/in-process.js';
import { recordingIntake } from './support/intake.js';
import { plantBatches } from './support/plant.js';
import { selfSignedCertificate } from './support/tls.js';

const run = promisify(execFile);

/** The gateway against MQTT clients no one here wrote: mosquitto_pub and mosquitto_sub (Eclipse Mosquitto). */
describe('gateway interop with the mosquitto command-line clients', () => {
  let dir: string;
  let gateway: Gateway;
  const intake = recordingIntake();
  const tls = selfSignedCertificate();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dcmms-interop-'));
    const file = join(dir, 'credentials.json');
    await writeSiteCredential(file, 'mosq-site', 't1', 'mosq-secret');
    writeFileSync(join(dir, 'ca.pem'), tls.cert);
    gateway = await createGateway({
      credentials: createFileCredentialVerifier(file),
      intake: intake.sink,
      tcp: { host: '127.0.0.1', port: 0 },
      tls: { host: '127.0.0.1', port: 0, cert: tls.cert, key: tls.key },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (secret = 'mosq-secret') => ['-u', 'mosq-site', '-P', secret, '-i', 'mosq-site'];

  it('accepts a QoS 1 batch from mosquitto_pub over TCP and over TLS', async () => {
    const [one, two] = plantBatches('mosq-site', { batches: 2, tags: 6 });
    writeFileSync(join(dir, 'one.bin'), encodeTelemetryBatch(one!));
    writeFileSync(join(dir, 'two.bin'), encodeTelemetryBatch(two!));
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(gateway.tcpPort), ...auth(), '-q', '1', '-t', 'dcmms/v1/mosq-site/telemetry', '-f', join(dir, 'one.bin')]);
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(gateway.tlsPort), '--cafile', join(dir, 'ca.pem'), ...auth(), '-q', '1', '-t', 'dcmms/v1/mosq-site/telemetry', '-f', join(dir, 'two.bin')]);
    expect(intake.accepted().map((m) => (m.uplink.kind === 'batch' ? m.uplink.batch.seq : -1))).toEqual([one!.seq, two!.seq]);
  });

  it('refuses mosquitto_pub with a wrong password', async () => {
    const err = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(gateway.tcpPort), ...auth('nope'), '-q', '1', '-t', 'dcmms/v1/mosq-site/telemetry', '-m', 'x']).then(
      () => null,
      (e: unknown) => e as { code?: number; stderr?: string },
    );
    expect(err).not.toBeNull();
    expect(err!.stderr).toMatch(/not authori[sz]ed|bad user name or password/i);
  });

  it('delivers the site\'s retained config to mosquitto_sub', async () => {
    await createInProcessDownlink(gateway.broker).publish('mosq-site', 'config', Buffer.from('{"version":7}'), { retain: true });
    const { stdout } = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(gateway.tcpPort), ...auth(), '-q', '1', '-t', 'dcmms/v1/mosq-site/config', '-C', '1', '-W', '20']);
    expect(stdout.trim()).toBe('{"version":7}');
  });
});
