import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSiteConfig } from '@dcmms/shared';

const root = new URL('../../k3s/', import.meta.url);
const site = parse(readFileSync(new URL('overlays/example/site.yaml', root), 'utf8')) as Record<string, unknown>;
const statefulSet = readFileSync(new URL('base/statefulset.yaml', root), 'utf8');

describe('K3s example site', () => {
  it('is a valid site config', () => {
    expect(parseSiteConfig(site).site).toBe('example-site');
  });

  it('reads its secret from an env var the StatefulSet sets, and serves on the port the probes use', () => {
    const uplink = site['uplink'] as { password: { env: string } };
    expect(statefulSet).toContain(`name: ${uplink.password.env}`);
    const http = site['http'] as { port: number };
    expect(statefulSet).toContain(`containerPort: ${http.port}`);
    expect((site['buffer'] as { path: string }).path.startsWith('/var/lib/dcmms/')).toBe(true);
    expect(statefulSet).toContain('mountPath: /var/lib/dcmms');
  });
});
