import { sql, type Expression, type SqlBool } from 'kysely';
import { RegistryError } from './errors.js';

/** Keyset pagination: a page of items and an opaque cursor to the next one (null at the end). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

type Key = readonly [number | string, string] | readonly [string];

/**
 * A cursor names the list it belongs to and the last row's sort key, base64url JSON. It is
 * opaque to clients; anything malformed or minted for another list is refused, never trusted
 * into a query.
 */
export function encodeCursor(list: string, key: Key): string {
  return Buffer.from(JSON.stringify([list, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(list: string, cursor: string, shape: 'id'): readonly [string];
export function decodeCursor(list: string, cursor: string, shape: 'number+id'): readonly [number, string];
export function decodeCursor(list: string, cursor: string, shape: 'id' | 'number+id'): Key {
  const invalid = () =>
    new RegistryError('DCMMS_REGISTRY_CURSOR_INVALID', 'the cursor is not one this list issued: start again without a cursor', { details: { list } });
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== list) throw invalid();
  const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
  if (shape === 'id') {
    if (parsed.length !== 2 || !isId(parsed[1])) throw invalid();
    return [parsed[1]];
  }
  if (parsed.length !== 3 || typeof parsed[1] !== 'number' || !Number.isSafeInteger(parsed[1]) || !isId(parsed[2])) throw invalid();
  return [parsed[1], parsed[2]];
}

/** `(sortColumn, id) < (v, id)`: row-value comparison, valid on both engines and index-friendly. */
export function afterDesc(sortColumn: string, idColumn: string, key: readonly [number, string]): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref(sortColumn)}, ${sql.ref(idColumn)}) < (${key[0]}, ${key[1]})`;
}

/** Cuts the extra row a query fetched (limit + 1) into the page's next cursor. */
export function toPage<R, T>(rows: readonly R[], limit: number, map: (r: R) => T, keyOf: (r: R) => Key, list: string): Page<T> {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(map);
  const last = more ? rows[limit - 1] : undefined;
  return { items, nextCursor: last === undefined ? null : encodeCursor(list, keyOf(last)) };
}

/** `%`, `_` and the escape character are literal in a user's search text. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function containsText(column: string, text: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(text)} escape '\\'`;
}
