import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** The service or component, e.g. `edge-agent`, `gateway`. */
  readonly name: string;
  /** Defaults to LOG_LEVEL from the environment, then `info`. */
  readonly level?: string;
  readonly base?: Record<string, unknown>;
}

/**
 * JSON lines on stdout, one logger per process; shipping the logs is someone else's job.
 * Components take a child logger (`log.child({ component: 'buffer' })`) from their caller.
 */
export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** For tests and library callers that pass no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
