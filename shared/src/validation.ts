import type { z } from 'zod';
import { DcmmsError } from './errors.js';

export type ValidationErrorCode = 'DCMMS_VALIDATION_FAILED';

export interface ValidationIssue {
  /** `devices[2].tags[5].address`, or `(root)` for the value itself. */
  readonly path: string;
  readonly message: string;
}

/** Raised at a boundary (config file, MQTT payload, HTTP body) with every problem, not the first only. */
export class ValidationError extends DcmmsError<ValidationErrorCode> {
  override readonly name = 'ValidationError';
  readonly issues: readonly ValidationIssue[];

  constructor(what: string, issues: readonly ValidationIssue[]) {
    super('DCMMS_VALIDATION_FAILED', `${what} is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, {
      details: { what, issues },
    });
    this.issues = issues;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Parse at a boundary: the value typed by the schema, or a ValidationError naming every bad path. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(what, toIssues(result.error));
}
