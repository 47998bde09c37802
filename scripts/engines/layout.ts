import { join } from 'node:path';
import type { EngineName, EngineSettings } from './settings.js';

/** Where each engine keeps its files under the engines folder. */
export function layout(s: EngineSettings, name: EngineName) {
  return {
    home: join(s.dir, name),
    pidFile: join(s.dir, 'run', `${name}.pid`),
    logFile: join(s.dir, 'logs', `${name}.log`),
    cache: (version: string) => join(s.dir, 'cache', `${name}-${version}`),
  };
}
