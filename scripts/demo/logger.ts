import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createLogger, silentLogger, type Logger } from '@dcmms/shared';
import type { DataLayout } from './data-dir.js';
import type { DemoOptions } from './options.js';

export interface DemoLogger {
  readonly logger: Logger;
  /** Where the JSON lines go, or null (tests). */
  readonly file: string | null;
  close(): Promise<void>;
}

/**
 * The demo's JSON logs (edge, gateway, API, simulators) go to a file: the terminal keeps the
 * banner and the example commands readable.
 */
export function openDemoLogger(options: DemoOptions, layout: DataLayout): DemoLogger {
  if (!options.logToFile || options.logLevel === 'silent') return { logger: silentLogger, file: null, close: async () => undefined };
  const file = join(layout.logs, options.mode === 'engines' ? 'demo-engines.log' : 'demo.log');
  const stream: WriteStream = createWriteStream(file, { flags: 'a' });
  const logger = createLogger({ name: 'dcmms-demo', level: options.logLevel, base: { site: options.siteId } }, stream);
  return {
    logger,
    file,
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
