import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner, exampleCommands, shellQuote } from './print.js';
import type { DemoSummary } from './summary.js';

const run = promisify(execFile);

const summary = (login: DemoSummary['login'], apiUrl: string): DemoSummary => ({
  mode: 'embedded',
  apiUrl,
  docsUrl: `${apiUrl}/docs`,
  mqttUrl: 'mqtt://127.0.0.1:11883',
  edgeUrl: 'http://127.0.0.1:9180',
  dataDir: '/x/.data/demo',
  logFiles: ['/x/.data/demo/logs/demo.log'],
  siteId: 'demo-plant',
  tagCount: 180,
  login,
  exampleAsset: { id: '01a2-turbine', name: 'Wind turbine WT1' },
  demoAlarm: { ruleId: 'wt1-gearbox-oil-hot', delayMs: 20_000 },
  seeded: [],
  engines: null,
});

/**
 * The printed commands, run by bash exactly as printed against a server that records what
 * arrives: the login body must survive shell quoting whatever the password holds, and the
 * token must travel from the first command to the next two.
 */
describe('the example commands', () => {
  const seen: Array<{ method: string; url: string; auth: string | undefined; body: string }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/api/v1/auth/login' ? JSON.stringify({ accessToken: 'tok.en-1', refreshToken: 'r' }) : '{"ok":true}');
    });
  });
  let apiUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.close());

  const runPrinted = async (s: DemoSummary, env: Record<string, string> = {}) => {
    // One line each: what is copied from the terminal is what runs.
    expect(exampleCommands(s).filter((c) => c.includes('\n'))).toEqual([]);
    seen.length = 0;
    await run('bash', ['-c', exampleCommands(s).join('\n')], { env: { ...process.env, ...env } });
    return seen.slice();
  };

  it.each([['a generated one', 'hU8mE24AuS1VyJBpZAqF9279'], ['one with quotes, $, backslashes and spaces', `it's "a" $HOME \\ pass`]])('log in with %s, then use the token', async (_what, password) => {
    const requests = await runPrinted(summary({ username: 'admin', password, passwordSource: 'environment' }, apiUrl));
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/v1/auth/login', 'GET /api/v1/alerts?siteId=demo-plant&active=true', 'GET /api/v1/assets/01a2-turbine/telemetry/latest']);
    expect(JSON.parse(requests[0]!.body)).toEqual({ username: 'admin', password });
    expect(requests.slice(1).map((r) => r.auth)).toEqual(['Bearer tok.en-1', 'Bearer tok.en-1']);
  });

  it('after the first start the password comes from DCMMS_ADMIN_PASSWORD', async () => {
    const s = summary({ username: 'admin', password: null, passwordSource: 'first-start' }, apiUrl);
    const requests = await runPrinted(s, { DCMMS_ADMIN_PASSWORD: 'the-first-password' });
    expect(JSON.parse(requests[0]!.body)).toEqual({ username: 'admin', password: 'the-first-password' });
    expect(banner(s)).toContain("export DCMMS_ADMIN_PASSWORD='<the password printed at the first start>'");
  });

  it('shellQuote makes one word of anything', async () => {
    const nasty = `a'b"c $(echo no) \`x\` \n end`;
    const { stdout } = await run('bash', ['-c', `printf %s ${shellQuote(nasty)}`]);
    expect(stdout).toBe(nasty);
  });
});

describe('the banner', () => {
  it('shows the URLs, the login and where the data and logs are', () => {
    const text = banner(summary({ username: 'admin', password: 'pw-123456789012', passwordSource: 'generated' }, 'http://127.0.0.1:8080'));
    for (const part of ['http://127.0.0.1:8080/api/v1', 'http://127.0.0.1:8080/docs', 'mqtt://127.0.0.1:11883', 'http://127.0.0.1:9180/status', '/x/.data/demo', 'admin / pw-123456789012   (generated now and shown only this once', '180 tags', 'Ctrl-C']) {
      expect(text).toContain(part);
    }
  });
});
