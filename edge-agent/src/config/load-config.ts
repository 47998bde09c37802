import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ValidationError, siteConfigSchema, toIssues } from '@dcmms/shared';
import type { SiteConfig } from '@dcmms/shared';
import { EdgeError } from '../errors.js';

export interface LoadedSiteConfig {
  readonly config: SiteConfig;
  /** The file, absolute. */
  readonly path: string;
  /** Folder that relative paths in the config (buffer, TLS files) are resolved against. */
  readonly baseDir: string;
}

/**
 * Reads a site config file (YAML, or JSON, which is YAML) and validates it. Every problem
 * is reported at once, each with its path and the line it is on:
 * `devices[2].tags[5].address: expected 0..65535 (tag "inv1.p") (line 31)`.
 */
export function loadSiteConfig(file: string): LoadedSiteConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new EdgeError('DCMMS_EDGE_CONFIG_UNREADABLE', `cannot read the site config ${path}: ${(cause as Error).message}`, { cause, details: { path } });
  }
  return { config: parseSiteConfigText(text, path), path, baseDir: dirname(path) };
}

export function parseSiteConfigText(text: string, what: string): SiteConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { path: pos ? `line ${pos.line}, column ${pos.col}` : '(yaml)', message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '') };
    });
    throw new EdgeError('DCMMS_EDGE_CONFIG_UNREADABLE', `the site config ${what} is not valid YAML:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, {
      details: { issues },
    });
  }
  const result = siteConfigSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issues = toIssues(result.error).map((issue, i) => {
    const zodPath = result.error.issues[i]?.path ?? [];
    const line = lineOf(doc, lines, zodPath);
    return line === undefined ? issue : { path: issue.path, message: `${issue.message} (line ${line})` };
  });
  throw new ValidationError(`site config ${what}`, issues);
}

/** The line of the deepest node that exists along `path` (a missing key points at its parent). */
function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && Array.isArray(node.range)) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** A path from the config, made absolute against the config file's folder. */
export function resolveConfigPath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
