import { z } from 'zod';
import { toIssues } from '@dcmms/shared';
import { RegistryError } from './errors.js';

/**
 * The body of a site config. The full site-config schema is being written in shared
 * (`shared/src/site-config`); until it exports one, the cloud checks what it can: a JSON
 * object of bounded size whose `site`, if present, names this site. The edge validates the
 * whole document and answers `rejected` with the reason, which the API shows.
 */
const bodySchema = z.record(z.string(), z.unknown());
export const MAX_SITE_CONFIG_BYTES = 4 * 1024 * 1024;

export function validateSiteConfigBody(siteId: string, body: unknown): Record<string, unknown> {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) throw invalid(toIssues(parsed.error).map((i) => ({ path: `body${i.path === '(root)' ? '' : `.${i.path}`}`, message: i.message })));
  const site = parsed.data['site'];
  if (site !== undefined && site !== siteId) throw invalid([{ path: 'body.site', message: `expected ${JSON.stringify(siteId)}, the site this config is for` }]);
  if (Buffer.byteLength(JSON.stringify(parsed.data)) > MAX_SITE_CONFIG_BYTES) throw invalid([{ path: 'body', message: `larger than ${MAX_SITE_CONFIG_BYTES} bytes` }]);
  return parsed.data;
}

function invalid(issues: { path: string; message: string }[]): RegistryError {
  return new RegistryError('DCMMS_SITE_CONFIG_INVALID', `the site config is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { details: { issues } });
}
