import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { anyConfigEnvelopeSchema } from '@dcmms/shared';
import type { ConfigEnvelope } from '@dcmms/shared';

/**
 * The last config applied from the cloud, kept next to the buffer (never inside it: a
 * config change does not touch the buffer) so a restart runs it and reports its version.
 * Written to a temporary file, synced and renamed, so a crash leaves the old or the new one.
 */
export function saveAppliedConfig(path: string, envelope: ConfigEnvelope): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(envelope));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function loadAppliedConfig(path: string): ConfigEnvelope | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = anyConfigEnvelopeSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
