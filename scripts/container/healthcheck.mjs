// HEALTHCHECK of the container: GET /healthz on the port of the role it runs.
import { readFileSync } from 'node:fs';

const role = (() => {
  try {
    return readFileSync('/tmp/dcmms-role', 'utf8').trim();
  } catch {
    return '';
  }
})();
const env = process.env;
const ports = {
  gateway: env.METRICS_PORT ?? '9464',
  worker: env.METRICS_PORT ?? '9465',
  api: env.DCMMS_API_PORT ?? '8080',
  // The agent's port is in its site file (http.port); compose and K3s set it to 9180.
  edge: env.DCMMS_HEALTH_PORT ?? '9180',
};
const port = ports[role];
if (!port) process.exit(0); // one-shot roles and simulators have no health endpoint

try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
