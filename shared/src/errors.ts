/**
 * Typed errors with stable codes. Every package declares its own codes (a union of string
 * literals) and throws `DcmmsError<ThatUnion>`, so callers switch on `code`, never on text.
 */
export interface DcmmsErrorOptions {
  readonly cause?: unknown;
  /** Machine-readable context (a path, a limit, a tag name). Kept small and serialisable. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class DcmmsError<C extends string = string> extends Error {
  override readonly name: string = 'DcmmsError';
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: DcmmsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...options.details });
  }

  toJSON(): { name: string; code: C; message: string; details: Readonly<Record<string, unknown>> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export function isDcmmsError(err: unknown, code?: string): err is DcmmsError {
  return err instanceof DcmmsError && (code === undefined || err.code === code);
}

/** A readable one-liner for logs when something that is not ours was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
