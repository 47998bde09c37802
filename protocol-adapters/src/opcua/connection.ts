import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
  type UserIdentityInfo,
} from 'node-opcua';
import type { OpcuaAuthConfig, OpcuaSecurityMode, OpcuaSecurityPolicy, SecretRef } from '@dcmms/shared';
import { AdapterError } from '../errors.js';

/**
 * Client construction shared by the adapter and `browse`: security mode and policy, the
 * PKI folder (own certificate created on first run; server certificates trusted only when
 * found in trusted/, or on first use when configured), user identity from a secret reference.
 */
export interface OpcuaConnectOptions {
  readonly endpoint: string;
  readonly securityMode?: OpcuaSecurityMode;
  readonly securityPolicy?: OpcuaSecurityPolicy;
  readonly pkiFolder?: string;
  readonly trustOnFirstUse?: boolean;
  readonly auth?: OpcuaAuthConfig;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly applicationName?: string;
}

export function resolveSecret(ref: SecretRef): string {
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (v === undefined) throw new AdapterError('DCMMS_ADAPTER_SECRET', `environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    return fs.readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new AdapterError('DCMMS_ADAPTER_SECRET', `cannot read secret file ${ref.file}: ${(err as Error).message}`, { cause: err });
  }
}

export function userIdentity(auth: OpcuaAuthConfig | undefined): UserIdentityInfo {
  if (!auth || auth.type === 'anonymous') return { type: UserTokenType.Anonymous };
  return { type: UserTokenType.UserName, userName: auth.username, password: resolveSecret(auth.password) };
}

const MODES: Record<OpcuaSecurityMode, MessageSecurityMode> = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
};
const POLICIES: Record<OpcuaSecurityPolicy, SecurityPolicy> = {
  None: SecurityPolicy.None,
  Basic128Rsa15: SecurityPolicy.Basic128Rsa15,
  Basic256: SecurityPolicy.Basic256,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
};

/**
 * A fresh certificate manager per connection attempt: it scans its folders when it starts,
 * so a server certificate an operator moved into trusted/ counts at the next attempt
 * (its folder watcher is not relied on), and a rejected one is written to rejected/.
 */
async function certificateManager(folder: string, tofu: boolean): Promise<OPCUACertificateManager> {
  const cm = new OPCUACertificateManager({ rootFolder: path.resolve(folder), automaticallyAcceptUnknownCertificate: tofu });
  await cm.initialize();
  return cm;
}

export async function createClient(o: OpcuaConnectOptions): Promise<{ client: OPCUAClient; dispose: () => Promise<void> }> {
  // Even a None session carries a client certificate in node-opcua; without a configured PKI
  // folder it lives in a scratch folder (not in the home directory), and nothing is verified.
  const clientCertificateManager = o.pkiFolder
    ? await certificateManager(o.pkiFolder, o.trustOnFirstUse ?? false)
    : await certificateManager(path.join(os.tmpdir(), 'dcmms-opcua-pki-unsecured'), true);
  const client = OPCUAClient.create({
    applicationName: 'dcmms-edge',
    // One application URI per installation: the certificate in the PKI folder is made for it.
    applicationUri: 'urn:dcmms:edge',
    securityMode: MODES[o.securityMode ?? 'None'],
    securityPolicy: POLICIES[o.securityPolicy ?? 'None'],
    endpointMustExist: false,
    // We own reconnection (with our backoff, re-creating session and subscriptions), so
    // node-opcua gives up on its first failure and tells us.
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    keepSessionAlive: true,
    requestedSessionTimeout: 60_000,
    transportTimeout: o.connectTimeoutMs ?? 10_000,
    defaultTransactionTimeout: o.requestTimeoutMs ?? 10_000,
    clientCertificateManager,
  });
  return { client, dispose: () => clientCertificateManager.dispose().catch(() => undefined) };
}

/** Connects and opens a session; on failure the client is disconnected and the error explains why. */
export interface OpenedSession {
  readonly client: OPCUAClient;
  readonly session: ClientSession;
  /** Closes the session, disconnects and releases the certificate store. */
  close(): Promise<void>;
}

export async function openSession(o: OpcuaConnectOptions): Promise<OpenedSession> {
  const identity = userIdentity(o.auth);
  const { client, dispose } = await createClient(o);
  try {
    await withTimeout(client.connect(o.endpoint), o.connectTimeoutMs ?? 10_000, `connect to ${o.endpoint}`);
    const session = await withTimeout(client.createSession(identity), o.requestTimeoutMs ?? 10_000, 'create session');
    return {
      client,
      session,
      close: async () => {
        await session.close(false).catch(() => undefined);
        await client.disconnect().catch(() => undefined);
        await dispose();
      },
    };
  } catch (err) {
    await client.disconnect().catch(() => undefined);
    await dispose();
    const msg = (err as Error).message ?? String(err);
    if (/certificate/i.test(msg) && /untrusted|verification/i.test(msg))
      throw new AdapterError(
        'DCMMS_OPCUA_UNTRUSTED_SERVER',
        `the server certificate of ${o.endpoint} is not trusted: move it from ${o.pkiFolder ?? '<pki>'}/rejected/ into trusted/certs/, or set trustOnFirstUse`,
        { cause: err },
      );
    throw new AdapterError('DCMMS_OPCUA_CONNECT_FAILED', `cannot open a session on ${o.endpoint}: ${msg.split('\n')[0]}`, { cause: err });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
