import { createServer } from 'node:net';
import { DemoError } from './errors.js';

export interface PortUse {
  readonly host: string;
  readonly port: number;
  /** What listens there, for the message: `the API`. */
  readonly what: string;
  /** The variable that moves it: `DCMMS_API_PORT`. */
  readonly env: string;
}

export function portInUse(use: PortUse, cause?: unknown): DemoError {
  return new DemoError(
    'DCMMS_DEMO_PORT_IN_USE',
    `port ${use.port} on ${use.host} (${use.what}) is already in use by another program: stop it, or choose another port with ${use.env}=<port>`,
    { cause, details: { ...use } },
  );
}

const isAddrInUse = (err: unknown): boolean => {
  for (let e = err; e instanceof Error; e = e.cause) if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(e.message)) return true;
  return false;
};

/**
 * Fails early, with the variable to change, when a port the demo needs is taken (the
 * services' own listen errors are mapped the same way, for the race after this check).
 */
export async function assertPortsFree(uses: readonly PortUse[]): Promise<void> {
  for (const use of uses) {
    if (use.port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (err) => reject(isAddrInUse(err) ? portInUse(use, err) : new DemoError('DCMMS_DEMO_OPTIONS_INVALID', `cannot listen on ${use.host}:${use.port} (${use.what}, ${use.env}): ${err.message}`, { cause: err })));
      server.listen({ host: use.host, port: use.port, exclusive: true }, () => server.close(() => resolve()));
    });
  }
}

/** Runs `listen`, turning "address in use" into the demo's clear error. */
export async function listenOrExplain<T>(use: PortUse, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    if (isAddrInUse(err)) throw portInUse(use, err);
    throw err;
  }
}
