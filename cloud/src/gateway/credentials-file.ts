import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DcmmsError, parseWith, siteIdSchema } from '@dcmms/shared';
import type { SiteCredentialVerifier } from '../ports/site-credentials.js';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

// N=2^15, r=8, p=1: ~32 MiB and some tens of ms per check, once per connection.
const PARAMS = Object.freeze({ N: 32768, r: 8, p: 1 });
const KEYLEN = 32;
const maxmem = (N: number, r: number) => 256 * N * r;

/** `scrypt$N$r$p$<salt b64>$<key b64>`: the parameters travel with the hash, so they can be raised later. */
export async function hashSiteSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, KEYLEN, { ...PARAMS, maxmem: maxmem(PARAMS.N, PARAMS.r) });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifySiteSecret(secret: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length === 0) return false;
  const key = await scrypt(secret, salt, expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return timingSafeEqual(key, expected);
}

const fileSchema = z.strictObject({
  sites: z.record(siteIdSchema, z.strictObject({ tenantId: z.string().min(1).max(128), secretHash: z.string().startsWith('scrypt$') })),
});
export type CredentialsFile = z.infer<typeof fileSchema>;

// Checked against for an unknown site, so its answer takes as long as a wrong secret's.
let dummyHash: Promise<string> | undefined;

/**
 * Site credentials in a JSON file (`{"sites": {"<site>": {"tenantId", "secretHash"}}}`), for
 * the embedded mode and tests; production reads them from the registry. Re-read when the
 * file changes on disk (checked at most once a second).
 */
export function createFileCredentialVerifier(file: string): SiteCredentialVerifier {
  let cached: { at: number; data: CredentialsFile } | null = null;
  const load = (): CredentialsFile => {
    if (cached && Date.now() - cached.at < 1000) return cached.data;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new DcmmsError('DCMMS_CREDENTIALS_FILE_UNREADABLE', `cannot read site credentials from ${file}: ${(err as Error).message}`, { cause: err });
    }
    const data = parseWith(fileSchema, raw, `site credentials file ${file}`);
    cached = { at: Date.now(), data };
    return data;
  };
  load();
  return {
    async verify(site, secret) {
      const entry = Object.hasOwn(load().sites, site) ? load().sites[site] : undefined;
      if (!entry) {
        await verifySiteSecret(secret, await (dummyHash ??= hashSiteSecret('dcmms-no-such-site')));
        return null;
      }
      return (await verifySiteSecret(secret, entry.secretHash)) ? { tenantId: entry.tenantId } : null;
    },
  };
}

/** Adds or replaces a site's credential in the file (atomically), for set-up scripts and tests. */
export async function writeSiteCredential(file: string, site: string, tenantId: string, secret: string): Promise<void> {
  let data: CredentialsFile = { sites: {} };
  try {
    data = parseWith(fileSchema, JSON.parse(readFileSync(file, 'utf8')), `site credentials file ${file}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  data.sites[site] = { tenantId, secretHash: await hashSiteSecret(secret) };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
