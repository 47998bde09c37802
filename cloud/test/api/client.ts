import type { ApiHarness } from './harness.js';

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
  readonly headers: Record<string, string | string[] | undefined>;
}

export interface Call {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** A raw payload sent as is (malformed JSON, wrong content types). */
  readonly raw?: string | Buffer;
  /** The client address `inject()` pretends to call from. */
  readonly remoteAddress?: string;
  /** An event stream: over HTTP, closed as soon as the status is known. */
  readonly stream?: boolean;
}

/** One request through `inject()` (or real HTTP for streams), the body parsed when it is JSON. */
export async function call(h: ApiHarness, c: Call): Promise<Answer> {
  if (c.stream) {
    const ac = new AbortController();
    const res = await fetch(`${await h.url()}${c.url}`, { method: c.method, headers: c.headers ?? {}, signal: ac.signal });
    const contentType = res.headers.get('content-type') ?? '';
    let body: unknown = null;
    if (contentType.includes('json')) body = await res.json();
    else ac.abort();
    return { status: res.status, contentType, body, headers: Object.fromEntries(res.headers.entries()) };
  }
  const hasBody = c.raw !== undefined || c.body !== undefined;
  const res = await h.app.inject({
    method: c.method as 'GET',
    url: c.url,
    ...(c.remoteAddress ? { remoteAddress: c.remoteAddress } : {}),
    headers: { ...(hasBody && c.raw === undefined ? { 'content-type': 'application/json' } : {}), ...c.headers },
    ...(c.raw !== undefined ? { payload: c.raw } : c.body !== undefined ? { payload: JSON.stringify(c.body) } : {}),
  });
  const contentType = String(res.headers['content-type'] ?? '');
  let body: unknown = res.body;
  if (contentType.includes('json') && res.body.length > 0) body = JSON.parse(res.body) as unknown;
  return { status: res.statusCode, contentType, body, headers: res.headers as Answer['headers'] };
}

export const isProblem = (a: Answer): boolean =>
  a.contentType.startsWith('application/problem+json') &&
  typeof a.body === 'object' &&
  a.body !== null &&
  (a.body as { status?: unknown }).status === a.status &&
  typeof (a.body as { code?: unknown }).code === 'string' &&
  typeof (a.body as { type?: unknown }).type === 'string';
