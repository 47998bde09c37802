import { browse } from '@dcmms/protocol-adapters';
import type { BrowseOptions } from '@dcmms/protocol-adapters';
import { opcuaSecurityModeSchema, opcuaSecurityPolicySchema } from '@dcmms/shared';
import { EdgeError } from '../errors.js';

export interface BrowseArgs {
  readonly endpoint: string;
  readonly node?: string;
  readonly maxDepth?: number;
  readonly securityMode?: string;
  readonly securityPolicy?: string;
  readonly pki?: string;
  readonly trustOnFirstUse?: boolean;
  readonly user?: string;
}

/** Lists an OPC-UA server's variables as JSON lines. */
export async function browseServer(args: BrowseArgs, out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (!/^opc\.tcp:\/\//.test(args.endpoint)) throw new EdgeError('DCMMS_EDGE_CONFIG_UNREADABLE', `expected an opc.tcp:// endpoint, got ${args.endpoint}`);
  const mode = opcuaSecurityModeSchema.parse(args.securityMode ?? 'None');
  const policy = opcuaSecurityPolicySchema.parse(args.securityPolicy ?? 'None');
  if (args.user !== undefined && env['DCMMS_OPCUA_PASSWORD'] === undefined) {
    throw new EdgeError('DCMMS_EDGE_SECRET_MISSING', 'set DCMMS_OPCUA_PASSWORD to the password of --user');
  }
  const options: BrowseOptions = {
    securityMode: mode,
    securityPolicy: policy,
    ...(args.pki === undefined ? {} : { pkiFolder: args.pki }),
    ...(args.trustOnFirstUse ? { trustOnFirstUse: true } : {}),
    ...(args.maxDepth === undefined ? {} : { maxDepth: args.maxDepth }),
    ...(args.user === undefined ? {} : { auth: { type: 'username' as const, username: args.user, password: { env: 'DCMMS_OPCUA_PASSWORD' } } }),
  };
  const variables = await browse(args.endpoint, args.node ?? 'i=85', options);
  for (const v of variables) out(JSON.stringify(v));
  return 0;
}
