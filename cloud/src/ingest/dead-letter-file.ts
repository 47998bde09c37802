import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeadLetter, DeadLetterStore } from './messages.js';

export interface FileDeadLetterOptions {
  readonly dir: string;
  /** Oldest letters are deleted beyond this many bytes on disk. */
  readonly maxBytes?: number;
}

/**
 * Dead letters as files, one JSON document per letter (metadata + base64 bytes), for the
 * embedded mode where there is no telemetry.invalid topic. Written to a temp name and
 * renamed, so a crash never leaves half a letter; bounded by total size, oldest first.
 */
export function createFileDeadLetterStore(options: FileDeadLetterOptions): DeadLetterStore & { list(): DeadLetter[] } {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  mkdirSync(options.dir, { recursive: true });
  const files = () =>
    readdirSync(options.dir)
      .filter((f) => f.endsWith('.json'))
      .sort();

  function enforceLimit(): void {
    const all = files().map((f) => ({ f, size: statSync(join(options.dir, f)).size }));
    let total = all.reduce((s, x) => s + x.size, 0);
    for (const { f, size } of all) {
      if (total <= maxBytes) break;
      rmSync(join(options.dir, f), { force: true });
      total -= size;
    }
  }

  return {
    async put(letters) {
      for (const d of letters) {
        const name = `${String(d.receivedAt).padStart(15, '0')}-${randomBytes(6).toString('hex')}.json`;
        const body = JSON.stringify({ ...d, payload: d.payload.toString('base64') });
        const tmp = join(options.dir, `.${name}.tmp`);
        writeFileSync(tmp, body);
        renameSync(tmp, join(options.dir, name));
      }
      if (letters.length > 0) enforceLimit();
    },
    list() {
      return files().map((f) => {
        const raw = JSON.parse(readFileSync(join(options.dir, f), 'utf8')) as Omit<DeadLetter, 'payload'> & { payload: string };
        return { ...raw, payload: Buffer.from(raw.payload, 'base64') };
      });
    },
  };
}
