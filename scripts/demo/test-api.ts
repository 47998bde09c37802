/** Test helpers: a small client of the demo's API, and polling with a deadline. */

export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

export interface ApiClient {
  get<T = Record<string, unknown>>(path: string): Promise<T>;
  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
}

async function call<T>(base: string, method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!res.ok) throw new HttpError(res.status, parsed, `${method} ${path}`);
  return parsed as T;
}

/** Logs in with a username and password and returns a client carrying the access token. */
export async function login(apiUrl: string, username: string, password: string): Promise<ApiClient> {
  const tokens = await call<{ accessToken: string }>(apiUrl, 'POST', '/auth/login', null, { username, password });
  return {
    get: (path) => call(apiUrl, 'GET', path, tokens.accessToken),
    post: (path, body) => call(apiUrl, 'POST', path, tokens.accessToken, body ?? {}),
  };
}
