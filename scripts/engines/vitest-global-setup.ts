import type { TestProject } from 'vitest/node';
import { down, up } from './engines.js';
import { engineEnv, loadSettings } from './settings.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** KAFKA_BROKERS, QUESTDB_HTTP, QUESTDB_PG, DATABASE_URL of the running engines. */
    engines: Record<string, string>;
  }
}

/**
 * Starts the engines the `engines` project needs when they are not running, hands their
 * addresses to the tests (`inject('engines')`), and stops afterwards only what it started.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const settings = loadSettings();
  const log = (line: string) => process.stderr.write(`engines: ${line}\n`);
  const result = await up(settings, undefined, log);
  project.provide('engines', engineEnv(settings));
  return async () => {
    if (result.started.length > 0 && process.env['DCMMS_ENGINES_KEEP'] !== '1') {
      await down(settings, result.started, {}, log);
    }
  };
}
