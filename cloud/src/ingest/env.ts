import { z } from 'zod';
import { parseWith } from '@dcmms/shared';

/** Environment helpers shared by the roles: every variable validated once, errors name the variable. */
export const brokersSchema = z
  .string()
  .min(1)
  .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')).min(1));
export const portSchema = z.coerce.number().int().min(0).max(65535);
export const boolSchema = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export function readEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): Readonly<z.output<S>> {
  return Object.freeze(parseWith(schema, env, what));
}

/** Resolves when the process is asked to stop (SIGINT, SIGTERM). */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
