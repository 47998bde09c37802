import { isDcmmsError, siteTags } from '@dcmms/shared';
import { loadSiteConfig, resolveConfigPath } from '../config/load-config.js';
import { resolveUplinkCredentials } from '../config/secrets.js';

/** Prints a summary of a valid config (or every problem) and returns the exit status. */
export function checkConfig(file: string, json: boolean, out: (line: string) => void, err: (line: string) => void): number {
  let loaded;
  try {
    loaded = loadSiteConfig(file);
  } catch (e) {
    err(isDcmmsError(e) ? e.message : String(e));
    return 1;
  }
  const c = loaded.config;
  if (json) {
    out(JSON.stringify(c, null, 2));
    return 0;
  }
  const tags = siteTags(c);
  out(`site ${c.site}: valid`);
  out(`  devices: ${c.devices.length} (${c.devices.map((d) => `${d.name} ${d.protocol} ${d.tags.length} tags${d.enabled ? '' : ' disabled'}`).join(', ') || 'none'})`);
  out(`  tags: ${tags.size} (${[...tags.values()].filter((t) => t.writable).length} writable, ${[...tags.values()].filter((t) => t.asset !== undefined).length} bound to assets)`);
  out(`  alarm rules: ${c.alarms.length}`);
  out(`  buffer: ${resolveConfigPath(loaded.baseDir, c.buffer.path)}, ${c.buffer.maxBytes} bytes, ${c.buffer.maxAgeMs / 3_600_000} h`);
  if (c.uplink === undefined) out('  uplink: none (local buffering and alarms only)');
  else {
    out(`  uplink: ${c.uplink.url}`);
    try {
      resolveUplinkCredentials(c.uplink, c.site, loaded.baseDir);
      out('  uplink secrets and TLS files: readable');
    } catch (e) {
      err(`  uplink: ${isDcmmsError(e) ? e.message : String(e)}`);
      return 1;
    }
  }
  out(`  http: ${c.http.enabled ? `${c.http.host}:${c.http.port}` : 'disabled'}`);
  return 0;
}
