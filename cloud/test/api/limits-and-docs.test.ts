import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './client.js';
import { startApi, type ApiHarness } from './harness.js';
import { buildWorld, type World } from './world.js';

describe('rate limits and the OpenAPI document', () => {
  let h: ApiHarness;
  let w: World;
  beforeAll(async () => {
    h = await startApi({ kind: 'sqlite' }, { rateLimit: { max: 200, windowMs: 60_000 }, loginRateLimit: { max: 3, windowMs: 60_000 } });
    w = await buildWorld(h);
  });
  afterAll(async () => h?.close());

  it('login attempts per address are limited (429 problem+json with Retry-After)', async () => {
    const statuses: number[] = [];
    let last = await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: 'nobody', password: 'x' }, remoteAddress: '192.0.2.7' });
    statuses.push(last.status);
    for (let i = 0; i < 3; i++) {
      last = await call(h, { method: 'POST', url: '/api/v1/auth/login', body: { username: `nobody${i}`, password: 'x' }, remoteAddress: '192.0.2.7' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last.body).toMatchObject({ status: 429, code: 'DCMMS_API_RATE_LIMITED' });
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('requests per credential are limited; another credential is not affected', async () => {
    const viewer = w.principal('viewer').headers;
    let status = 0;
    for (let i = 0; i < 201 && status !== 429; i++) status = (await call(h, { method: 'GET', url: '/api/v1/auth/me', headers: viewer })).status;
    expect(status).toBe(429);
    expect((await call(h, { method: 'GET', url: '/api/v1/auth/me', headers: w.principal('technician').headers })).status).toBe(200);
  });

  it('documents every route in /docs', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const routes = h.routes
      .filter((r) => (r.url.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(r.url)) && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(routes.filter((r) => !documented.has(r))).toEqual([]);
    // Every API operation says what it is, and what its errors look like.
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, op] of Object.entries(ops as Record<string, { summary?: string; responses?: Record<string, unknown> }>)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses ?? {}), `${method} ${path}`).toContain('400');
      }
    }
  });
});
