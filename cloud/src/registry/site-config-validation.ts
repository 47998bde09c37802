import { siteConfigSchema, toIssues } from '@dcmms/shared';
import { RegistryError } from './errors.js';

/**
 * A site config is checked with the shared site-config schema, the same one the edge agent
 * applies, so a config the cloud accepts is one the edge can run (the edge still answers
 * `rejected` with a reason for what only it can know, such as a missing secret file). The
 * document is stored as it was sent; defaults are the edge's to fill in.
 */
export const MAX_SITE_CONFIG_BYTES = 4 * 1024 * 1024;

export function validateSiteConfigBody(siteId: string, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid([{ path: 'body', message: 'expected an object' }]);
  if (Buffer.byteLength(JSON.stringify(body)) > MAX_SITE_CONFIG_BYTES) throw invalid([{ path: 'body', message: `larger than ${MAX_SITE_CONFIG_BYTES} bytes` }]);
  const parsed = siteConfigSchema.safeParse(body);
  const issues = parsed.success ? [] : toIssues(parsed.error).map((i) => ({ path: i.path === '(root)' ? 'body' : `body.${i.path}`, message: i.message }));
  const site = (body as Record<string, unknown>)['site'];
  if (site !== siteId && typeof site === 'string') issues.push({ path: 'body.site', message: `expected ${JSON.stringify(siteId)}, the site this config is for` });
  if (issues.length > 0) throw invalid(issues);
  return body as Record<string, unknown>;
}

function invalid(issues: { path: string; message: string }[]): RegistryError {
  const shown = issues.slice(0, 50);
  return new RegistryError('DCMMS_SITE_CONFIG_INVALID', `the site config is invalid:\n${shown.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { details: { issues: shown } });
}
