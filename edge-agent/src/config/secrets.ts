import { readFileSync } from 'node:fs';
import type { SecretRef, UplinkConfig } from '@dcmms/shared';
import { EdgeError } from '../errors.js';
import type { UplinkCredentials } from '../uplink/uplink.js';
import { resolveConfigPath } from './load-config.js';

/** Reads a secret named by the config: from the environment, or from a file (a Kubernetes Secret volume). */
export function readSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new EdgeError('DCMMS_EDGE_SECRET_MISSING', `environment variable ${ref.env} (the uplink password) is not set`, { details: { env: ref.env } });
    }
    return value;
  }
  const path = resolveConfigPath(baseDir, ref.file);
  try {
    // A trailing newline is how files are usually written, never part of the secret.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    throw new EdgeError('DCMMS_EDGE_SECRET_MISSING', `cannot read the secret file ${path}: ${(cause as Error).message}`, { cause, details: { path } });
  }
}

function readPem(baseDir: string, file: string, what: string): Buffer {
  const path = resolveConfigPath(baseDir, file);
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new EdgeError('DCMMS_EDGE_SECRET_MISSING', `cannot read the uplink ${what} ${path}: ${(cause as Error).message}`, { cause, details: { path } });
  }
}

/** Everything the uplink needs from outside the config: password, CA, client certificate. */
export function resolveUplinkCredentials(uplink: UplinkConfig, site: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): UplinkCredentials {
  const tls = uplink.tls;
  return {
    username: uplink.username ?? site,
    ...(uplink.password === undefined ? {} : { password: readSecret(uplink.password, baseDir, env) }),
    ...(tls?.ca === undefined ? {} : { ca: readPem(baseDir, tls.ca, 'CA certificate') }),
    ...(tls?.cert === undefined ? {} : { cert: readPem(baseDir, tls.cert, 'client certificate') }),
    ...(tls?.key === undefined ? {} : { key: readPem(baseDir, tls.key, 'client key') }),
    ...(tls?.servername === undefined ? {} : { servername: tls.servername }),
  };
}
