import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isDcmmsError } from '@dcmms/shared';
import { createFileCredentialVerifier, hashSiteSecret, verifySiteSecret, writeSiteCredential } from '../src/gateway/credentials-file.js';

describe('file-backed site credentials', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempFile = () => {
    const d = mkdtempSync(join(tmpdir(), 'dcmms-cred-'));
    dirs.push(d);
    return join(d, 'credentials.json');
  };

  it('stores scrypt hashes with their parameters and a salt, never the secret', async () => {
    const a = await hashSiteSecret('s3cret');
    const b = await hashSiteSecret('s3cret');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifySiteSecret('s3cret', a)).toBe(true);
    expect(await verifySiteSecret('s3cret!', a)).toBe(false);
    expect(await verifySiteSecret('s3cret', 'plain:s3cret')).toBe(false);
    expect(await verifySiteSecret('s3cret', 'scrypt$99999999999$8$1$AA==$AA==')).toBe(false);
    const file = tempFile();
    await writeSiteCredential(file, 'pv-1', 'tenant-1', 'top-secret');
    expect(readFileSync(file, 'utf8')).not.toContain('top-secret');
  });

  it('verifies a site\'s secret to its tenant; wrong secrets and unknown sites get null', async () => {
    const file = tempFile();
    await writeSiteCredential(file, 'pv-1', 'tenant-1', 'one');
    await writeSiteCredential(file, 'pv-2', 'tenant-2', 'two');
    const v = createFileCredentialVerifier(file);
    expect(await v.verify('pv-1', 'one')).toEqual({ tenantId: 'tenant-1' });
    expect(await v.verify('pv-2', 'two')).toEqual({ tenantId: 'tenant-2' });
    expect(await v.verify('pv-1', 'two')).toBeNull();
    expect(await v.verify('pv-3', 'one')).toBeNull();
    expect(await v.verify('__proto__', 'one')).toBeNull();
  });

  it('refuses a malformed file with a clear error naming the path', () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ sites: { 'Bad Site': { tenantId: 't', secretHash: 'x' } } }));
    let caught: unknown;
    try {
      createFileCredentialVerifier(file);
    } catch (err) {
      caught = err;
    }
    expect(isDcmmsError(caught, 'DCMMS_VALIDATION_FAILED')).toBe(true);
    expect((caught as Error).message).toContain('sites');
  });
});
