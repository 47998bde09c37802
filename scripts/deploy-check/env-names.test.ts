import { describe, expect, it } from 'vitest';
import { envProblems } from './env-names.js';

const deployment = (role: string, env: string[]) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: x }
spec:
  template:
    spec:
      containers:
        - name: ${role}
          image: dcmms/dcmms:0.1.0
          args: [${role}]
          env: [${env.map((n) => `{ name: ${n}, value: "1" }`).join(', ')}]
`;

describe('chart env names', () => {
  it('accepts the settings a role documents, and LOG_LEVEL', async () => {
    expect(await envProblems(deployment('worker', ['KAFKA_BROKERS', 'QUESTDB_PG', 'METRICS_PORT', 'LOG_LEVEL']))).toEqual([]);
  });

  it('names a variable the role does not read', async () => {
    expect(await envProblems(deployment('gateway', ['MQTT_PORT', 'DCMMS_MQTT_PORT']))).toEqual([
      'Deployment/x container gateway: DCMMS_MQTT_PORT is not a setting of `dcmms-cloud gateway`',
    ]);
  });

  it('ignores containers that are not dcmms roles', async () => {
    expect(await envProblems(deployment('sidecar', ['ANYTHING']).replace('dcmms/dcmms', 'envoy/envoy'))).toEqual([]);
  });
});
