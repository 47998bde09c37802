import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can } from '../../src/api/index.js';
import { CASES, type BuiltRequest, type RouteCase } from './cases.js';
import { call, isProblem } from './client.js';
import { startApi, type ApiHarness, type EngineSet } from './harness.js';
import { TARGETS, buildWorld, type PrincipalFx, type Target, type World } from './world.js';

export function expectedStatus(c: RouteCase, p: PrincipalFx, t: Target): number {
  if (c.access === 'public') return c.status;
  if (c.access !== 'authenticated' && !can(p.subject, c.access)) return 403;
  if (c.extra && !can(p.subject, c.extra)) return 403;
  if (c.usersOnly && p.kind !== 'user') return 403;
  if (t === 'otherTenant') return 404;
  if (t === 'otherSite' && c.kind === 'site' && p.subject.sites !== null) return 404;
  return c.status;
}

/**
 * Every route x every principal (each role, unlimited and limited to one site, users and API
 * keys) x target (own site, another site of the tenant, another tenant): allowed, 403 or 404,
 * and every refusal is problem+json.
 */
export function accessMatrixSuite(engine: string, engines: () => EngineSet): void {
  describe(`access matrix on ${engine}`, () => {
    let h: ApiHarness;
    let w: World;
    beforeAll(async () => {
      h = await startApi(engines());
      w = await buildWorld(h);
    });
    afterAll(async () => h?.close());

    it('has a case for every registered route', () => {
      const registered = h.routes
        .filter((r) => (r.url.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(r.url)) && r.method !== 'HEAD' && r.method !== 'OPTIONS')
        .map((r) => `${r.method} ${r.url}`);
      const covered = new Set(CASES.map((c) => `${c.method} ${c.route}`));
      expect(registered.filter((r) => !covered.has(r))).toEqual([]);
      expect([...covered].filter((c) => !registered.includes(c))).toEqual([]);
      expect(registered.length).toBeGreaterThan(70);
    });

    it('refuses requests without credentials or with bad ones (401, problem+json)', async () => {
      for (const c of CASES.filter((x) => x.access !== 'public')) {
        const req = await c.build(w, 'own', { password: null });
        for (const headers of [{}, { authorization: 'Bearer not-a-jwt' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }, { 'x-api-key': 'dcmms_00000000-0000-7000-8000-000000000000_nope' }] as Record<string, string>[]) {
          const a = await call(h, { method: c.method, url: req.url, body: req.body, headers: { ...req.headers, ...headers }, stream: c.stream });
          expect([a.status, isProblem(a)], `${c.method} ${req.url} with ${JSON.stringify(headers)}`).toEqual([401, true]);
        }
      }
    });

    for (const c of CASES) {
      it(`${c.method} ${c.route}${c.label ? ` (${c.label})` : ''}`, async () => {
        const mismatches: string[] = [];
        const principals = c.access === 'public' ? [w.principals[0]!] : w.principals;
        const targets: readonly Target[] = c.kind === 'site' ? TARGETS : c.kind === 'tenant' ? ['own', 'otherTenant'] : ['own'];
        // Fresh resources only for calls that change something; reads and refusals share one.
        const shared = new Map<Target, BuiltRequest>();
        for (const p of principals) {
          for (const t of targets) {
            const want = expectedStatus(c, p, t);
            const fresh = c.method !== 'GET' && want < 400;
            const req = fresh ? await c.build(w, t, p) : (shared.get(t) ?? (await c.build(w, t, p)));
            if (!fresh) shared.set(t, req);
            const a = await call(h, { method: c.method, url: req.url, body: req.body, headers: { ...req.headers, ...(c.access === 'public' ? {} : p.headers) }, stream: c.stream });
            const ok = a.status === want && (want < 400 || isProblem(a));
            if (!ok) mismatches.push(`${p.name} -> ${t}: expected ${want}, got ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
          }
        }
        expect(mismatches).toEqual([]);
      });
    }
  });
}
