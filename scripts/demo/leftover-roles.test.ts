import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@dcmms/shared';
import { recordRolePids, stopLeftoverRoles } from './leftover-roles.js';

describe('roles left behind by a killed start:engines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcmms-roles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops a listed process that still runs that role, and leaves a reused pid alone', async () => {
    // Looks like `node ... cloud/src/main.ts gateway` in /proc, as a real role does.
    const role = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'cloud/src/main.ts', 'gateway'], { stdio: 'ignore' });
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    const roleExit = new Promise<NodeJS.Signals | null>((resolve) => role.once('exit', (_code, signal) => resolve(signal)));
    try {
      const file = join(dir, 'roles.pids');
      recordRolePids(file, { gateway: role.pid!, worker: stranger.pid! });
      expect(await stopLeftoverRoles(file, silentLogger)).toBe(1);
      expect(await roleExit).toBe('SIGTERM');
      expect(stranger.exitCode).toBeNull();
      expect(stranger.signalCode).toBeNull();
      expect(existsSync(file)).toBe(false);
      expect(await stopLeftoverRoles(file, silentLogger)).toBe(0);
    } finally {
      role.kill('SIGKILL');
      stranger.kill('SIGKILL');
    }
  });
});
