// The compose demo's provisioning, run once by the `provision` service (plain Node, no
// dependencies): through the API, as an operator would, it creates the demo site, issues the
// edge's MQTT credential (written to the shared secret volume), stores the site config (the
// API pushes it down to the edge), the asset tree and the work orders. Idempotent: a second
// run changes nothing that is already there.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const env = process.env;
const api = (env.API_URL ?? 'http://api:8080').replace(/\/$/, '');
const plant = JSON.parse(readFileSync(env.PLANT_FILE ?? '/provision/demo-plant.json', 'utf8'));
const secretFile = env.SECRET_FILE ?? '/var/lib/dcmms/site-secret';
const siteId = plant.site.id;
const log = (msg) => process.stdout.write(`provision: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let token = '';
async function call(method, path, body, okStatuses = [200, 201]) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!okStatuses.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, json };
}

async function waitForApi() {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(3000) })).ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(2000);
  }
  throw new Error(`the API at ${api} did not become ready in 4 minutes`);
}

async function main() {
  await waitForApi();
  const login = await call('POST', '/api/v1/auth/login', { username: env.DCMMS_ADMIN_USER ?? 'admin', password: env.DCMMS_ADMIN_PASSWORD });
  token = login.json.accessToken;
  const me = (await call('GET', '/api/v1/auth/me')).json;

  const site = await call('GET', `/api/v1/sites/${siteId}`, undefined, [200, 404]);
  if (site.status === 404) {
    await call('POST', '/api/v1/sites', plant.site);
    log(`site ${siteId} created`);
  }

  if (!existsSync(secretFile)) {
    const issued = (await call('POST', `/api/v1/sites/${siteId}/credentials`, {})).json;
    writeFileSync(secretFile, `${issued.secret}\n`, { mode: 0o600 });
    log('edge credential issued');
  }

  const state = (await call('GET', `/api/v1/sites/${siteId}/config`)).json;
  if (JSON.stringify(state.desired?.body) !== JSON.stringify(plant.config)) {
    const put = (await call('PUT', `/api/v1/sites/${siteId}/config`, { body: plant.config, version: state.desired?.version ?? 0 })).json;
    log(`site config version ${put.document.version} stored`);
  }

  const existing = (await call('GET', `/api/v1/assets?siteId=${siteId}&limit=200`)).json.items;
  const ids = Object.fromEntries(existing.filter((a) => a.metadata?.demoKey).map((a) => [a.metadata.demoKey, a.id]));
  for (const a of plant.assets) {
    if (ids[a.key]) continue;
    const body = { siteId, parentId: a.parentKey ? ids[a.parentKey] : null, name: a.name, kind: a.kind, metadata: { demoKey: a.key }, tags: a.tags };
    for (const k of ['manufacturer', 'model', 'serial']) if (a[k]) body[k] = a[k];
    ids[a.key] = (await call('POST', '/api/v1/assets', body)).json.id;
    log(`asset ${a.name} created`);
  }

  const rules = (await call('GET', '/api/v1/workorder-rules?limit=200')).json.items;
  if (!rules.some((r) => r.name === plant.workOrderRule.name)) {
    await call('POST', '/api/v1/workorder-rules', { ...plant.workOrderRule, siteId });
    log('work-order rule created');
  }

  const orders = (await call('GET', `/api/v1/workorders?siteId=${siteId}&limit=200`)).json.items;
  for (const spec of plant.workOrders) {
    if (orders.some((o) => o.title === spec.title)) continue;
    let wo = (await call('POST', '/api/v1/workorders', { siteId, assetId: ids[spec.assetKey], title: spec.title, description: spec.description, type: spec.type, priority: spec.priority, tasks: spec.tasks })).json;
    for (const name of spec.transitions) {
      wo = (await call('POST', `/api/v1/workorders/${wo.id}/transitions/${name}`, { ...(name === 'assign' ? { assigneeId: me.id } : {}), version: wo.version })).json;
    }
    log(`work order "${spec.title}" created (${wo.status ?? wo.state})`);
  }
  log('done');
}

main().catch((err) => {
  process.stderr.write(`provision: ${err.message}\n`);
  process.exit(1);
});
