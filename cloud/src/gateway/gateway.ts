import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Registry } from 'prom-client';
import { describeError, isDcmmsError, silentLogger, siteIdSchema, type Logger } from '@dcmms/shared';
import type { SiteCredentialVerifier } from '../ports/site-credentials.js';
import type { DeadLetter, IntakeSink } from '../ingest/messages.js';
import { decodeUplink } from '../ingest/uplink.js';
import { maySubscribe, sessionId, uplinkChannelFor } from './acl.js';
import { createAuthThrottle } from './auth-throttle.js';
import { GatewayError } from './errors.js';
import { guardConnection, type GuardedConnection } from './frame-guard.js';
import { gatewayMetrics, type GatewayMetrics } from './metrics.js';
import { createPipeline, type Pipeline } from './pipeline.js';

export interface GatewayLimits {
  /** Largest payload accepted; larger ones are dead-lettered (and acknowledged: resending cannot help). */
  readonly maxPayloadBytes: number;
  /** Largest MQTT packet read at all; a bigger one closes the connection before it is buffered. */
  readonly maxPacketBytes: number;
  /** Accepted-but-not-yet-kept bytes over all clients before every socket pauses. */
  readonly maxInflightBytes: number;
  /** Messages in flight per connection before that socket pauses. */
  readonly maxInflightPerClient: number;
  /** One delivery to the intake (one Kafka produce request): keep under the broker's max message size. */
  readonly maxBatchItems: number;
  readonly maxBatchBytes: number;
  /** Bytes of a refused payload kept in its dead letter. */
  readonly deadLetterKeepBytes: number;
  /** Refused logins per (address, site) within `authFailureWindowMs` before that pair is refused unchecked. */
  readonly maxAuthFailures: number;
  readonly authFailureWindowMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = Object.freeze({
  maxPayloadBytes: 768 * 1024,
  maxPacketBytes: 1024 * 1024,
  maxInflightBytes: 64 * 1024 * 1024,
  maxInflightPerClient: 1000,
  maxBatchItems: 2000,
  maxBatchBytes: 900 * 1024,
  deadLetterKeepBytes: 256 * 1024,
  maxAuthFailures: 5,
  authFailureWindowMs: 60_000,
});

export interface ListenerOptions {
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

export interface TlsListenerOptions extends ListenerOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer;
}

export interface GatewayOptions {
  readonly credentials: SiteCredentialVerifier;
  readonly intake: IntakeSink;
  readonly tcp?: ListenerOptions | null;
  readonly tls?: TlsListenerOptions | null;
  readonly limits?: Partial<GatewayLimits>;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  readonly now?: () => number;
}

export interface GatewayStats {
  readonly inflightBytes: number;
  readonly peakInflightBytes: number;
  readonly queued: number;
  readonly connections: number;
  /** True while every socket is paused because the in-flight budget is spent. */
  readonly paused: boolean;
}

export interface Gateway {
  /** The embedded aedes broker (the in-process downlink publishes through it). */
  readonly broker: Aedes;
  readonly tcpPort: number | null;
  readonly tlsPort: number | null;
  stats(): GatewayStats;
  /** Stops listening, lets the delivery in flight finish, disconnects clients, closes the intake. */
  close(): Promise<void>;
}

interface SiteSession {
  readonly site: string;
  readonly tenantId: string;
}

function authError(message: string, returnCode: 2 | 3 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function listen(server: Server, options: ListenerOptions, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new GatewayError('DCMMS_GATEWAY_LISTEN', `${what} listener on ${options.host ?? '0.0.0.0'}:${options.port}: ${err.message}`, { cause: err })));
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * The MQTT gateway: aedes on TCP and/or TLS, a credential per site, the topic ACL, every
 * payload decoded and validated, and the PUBACK of a QoS 1 message sent only after the
 * intake (Kafka with acks=all, or the embedded stores) kept it. aedes sends the PUBACK after
 * `authorizePublish` calls back; it does not promise to (aedes#808), so the ordering is held
 * by a regression test (cloud/test/gateway-puback-order.test.ts).
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const limits: GatewayLimits = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits });
  if (limits.maxPayloadBytes >= limits.maxPacketBytes) throw new GatewayError('DCMMS_GATEWAY_CONFIG', 'maxPayloadBytes must be below maxPacketBytes');
  if (!options.tcp && !options.tls) throw new GatewayError('DCMMS_GATEWAY_CONFIG', 'the gateway needs a TCP or a TLS listener');
  const log = (options.logger ?? silentLogger).child({ component: 'gateway' });
  const now = options.now ?? Date.now;
  const metrics: GatewayMetrics | null = options.metrics ? gatewayMetrics(options.metrics) : null;
  const sessions = new WeakMap<Client, SiteSession>();
  const connections = new Set<GuardedConnection>();
  let overBudget = false;
  let authenticated = 0;
  const throttle = createAuthThrottle({ maxFailures: limits.maxAuthFailures, windowMs: limits.authFailureWindowMs });

  const pipeline: Pipeline = createPipeline({
    sink: options.intake,
    maxBatchItems: limits.maxBatchItems,
    maxBatchBytes: limits.maxBatchBytes,
    maxInflightBytes: limits.maxInflightBytes,
    maxInflightPerClient: limits.maxInflightPerClient,
    logger: log,
    onPressure(over) {
      overBudget = over;
      metrics?.paused.set(over ? 1 : 0);
      if (over) log.warn({ inflightBytes: pipeline.inflightBytes }, 'in-flight budget spent: pausing every socket until the intake catches up');
      for (const c of connections) {
        if (over) c.pauseReading('global');
        else c.resumeReading('global');
      }
    },
    onDelivered: (_n, seconds) => {
      metrics?.deliverSeconds.observe(seconds);
      metrics?.inflightBytes.set(pipeline.inflightBytes);
    },
    onRetry: () => metrics?.retries.inc(),
  });

  function deadLetter(letter: Omit<DeadLetter, 'payload' | 'size' | 'receivedAt'>, payload: Buffer, done: (err?: Error) => void, owner: GuardedConnection | null): void {
    metrics?.rejected.inc({ code: letter.code });
    log.warn({ site: letter.site, clientId: letter.clientId, topic: letter.topic, code: letter.code, reason: letter.reason, bytes: payload.length }, 'message refused and kept as a dead letter');
    const kept = payload.length > limits.deadLetterKeepBytes ? Buffer.from(payload.subarray(0, limits.deadLetterKeepBytes)) : payload;
    pipeline.enqueue({ item: { deadLetter: { ...letter, payload: kept, size: payload.length, receivedAt: now() } }, bytes: kept.length, owner, done });
  }

  const broker = new Aedes({
    // Checked before authentication, on the id the client sent (the session id adds the site).
    maxClientsIdLength: 128,
    // Uplink messages reach no subscriber (the ACL allows none), so this only paces downlink fan-out.
    concurrency: 1000,
    authenticate(client, username, password, done) {
      const site = username ?? '';
      const address = (client.conn as GuardedConnection).remoteAddress ?? 'unknown';
      const fail = (reason: string, code: 2 | 3 | 4 | 5, detail?: string) => {
        metrics?.authFailures.inc({ reason });
        log.warn({ clientId: client.id, site: site.slice(0, 80), reason, detail, remote: address }, 'connection refused');
        done(authError(reason, code), null);
      };
      const validSite = siteIdSchema.safeParse(site).success;
      // Usernames that are no site id share one throttle entry: the map never holds long strings.
      const throttleKey = validSite ? site : '(invalid)';
      if (!throttle.allowed(address, throttleKey, now())) return fail('too-many-failures', 5);
      if (!validSite || !password) {
        throttle.failed(address, throttleKey, now());
        return fail('bad-username-or-password', 4);
      }
      options.credentials.verify(site, password.toString('utf8')).then(
        (ok) => {
          if (!ok) {
            throttle.failed(address, site, now());
            return fail('bad-username-or-password', 4);
          }
          throttle.succeeded(address, site);
          sessions.set(client, { site, tenantId: ok.tenantId });
          // aedes registers the session under client.id after this callback: scope it to the site.
          (client as { id: string }).id = sessionId(site, client.id);
          done(null, true);
        },
        (err: unknown) => fail('credential-store-unavailable', 3, describeError(err)),
      );
    },

    authorizePublish(client, packet, callback) {
      const session = client ? sessions.get(client) : undefined;
      if (!client || !session) return callback(new Error('not authenticated'));
      const owner = client.conn as GuardedConnection;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const base = { site: session.site, topic: packet.topic, clientId: client.id };
      const channel = uplinkChannelFor(session.site, packet.topic);
      if (channel === null) {
        // Kept, counted, and the connection closed: a client that publishes outside its ACL is broken or hostile.
        deadLetter({ ...base, code: 'DCMMS_UPLINK_UNAUTHORIZED', reason: `site ${session.site} may not publish to ${packet.topic}` }, payload, () => undefined, null);
        return callback(new Error(`not authorized to publish to ${packet.topic}`));
      }
      // Refused payloads are acknowledged once kept: sending the same bytes again cannot succeed.
      const refuse = (code: string, reason: string) => {
        packet.retain = false;
        deadLetter({ ...base, code, reason }, payload, (err) => callback(err ?? null), owner);
      };
      if (payload.length > limits.maxPayloadBytes) return refuse('DCMMS_UPLINK_TOO_LARGE', `payload of ${payload.length} bytes exceeds ${limits.maxPayloadBytes}`);
      let uplink;
      try {
        uplink = decodeUplink(channel, session.site, payload);
      } catch (err) {
        return refuse(isDcmmsError(err) ? err.code : 'DCMMS_UPLINK_UNDECODABLE', describeError(err));
      }
      // Synchronous from the top of this function to here: packets are enqueued in the order
      // aedes parsed them, whatever concurrency it runs authorizePublish with.
      pipeline.enqueue({
        item: { accepted: { site: session.site, channel, payload, receivedAt: now(), uplink } },
        bytes: payload.length,
        owner,
        done: (err) => {
          if (!err) metrics?.accepted.inc({ channel });
          metrics?.inflightBytes.set(pipeline.inflightBytes);
          callback(err ?? null);
        },
      });
      metrics?.inflightBytes.set(pipeline.inflightBytes);
    },

    authorizeSubscribe(client, subscription, callback) {
      const session = sessions.get(client);
      if (session && maySubscribe(session.site, subscription.topic)) return callback(null, subscription);
      metrics?.subscribeDenied.inc();
      log.warn({ clientId: client.id, site: session?.site, topic: subscription.topic }, 'subscription refused');
      callback(null, null);
    },

    authorizeForward(client, packet) {
      const session = sessions.get(client);
      return session && maySubscribe(session.site, packet.topic) ? packet : null;
    },
  });
  await broker.listen();

  broker.on('clientReady', () => metrics?.connections.set(++authenticated));
  broker.on('clientDisconnect', (client) => {
    if (sessions.has(client)) metrics?.connections.set(--authenticated);
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
  broker.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));

  function accept(socket: Socket): void {
    socket.setNoDelay(true);
    const conn: GuardedConnection = guardConnection(socket, {
      maxPacketBytes: limits.maxPacketBytes,
      keepBytes: limits.deadLetterKeepBytes,
      onOversized(packet) {
        const client = (conn as unknown as { client?: Client }).client;
        const session = client ? sessions.get(client) : undefined;
        metrics?.rejected.inc({ code: 'DCMMS_UPLINK_TOO_LARGE' });
        log.warn({ site: session?.site, declaredBytes: packet.declaredBytes, packetType: packet.packetType, remote: socket.remoteAddress }, 'packet above the size limit: connection closed');
        pipeline.enqueue({
          item: {
            deadLetter: {
              site: session?.site ?? null,
              topic: null,
              clientId: client?.id ?? null,
              code: 'DCMMS_UPLINK_TOO_LARGE',
              reason: `MQTT packet (type ${packet.packetType}) declares ${packet.declaredBytes} bytes, the limit is ${limits.maxPacketBytes}; first ${packet.head.length} bytes kept`,
              payload: packet.head,
              size: packet.declaredBytes,
              receivedAt: now(),
            },
          },
          bytes: packet.head.length,
          owner: null,
          done: () => undefined,
        });
      },
    });
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    if (overBudget) conn.pauseReading('global');
    broker.handle(conn);
  }

  const servers: Server[] = [];
  let tcpPort: number | null = null;
  let tlsPort: number | null = null;
  try {
    if (options.tcp) {
      const s = createTcpServer(accept);
      servers.push(s);
      tcpPort = await listen(s, options.tcp, 'MQTT TCP');
    }
    if (options.tls) {
      const t = options.tls;
      const s = createTlsServer({ cert: t.cert, key: t.key, ...(t.ca ? { ca: t.ca } : {}), minVersion: 'TLSv1.2' }, accept);
      s.on('tlsClientError', (err) => log.debug({ err: err.message }, 'TLS handshake failed'));
      servers.push(s);
      tlsPort = await listen(s, t, 'MQTT TLS');
    }
  } catch (err) {
    for (const s of servers) s.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  log.info({ tcpPort, tlsPort }, 'MQTT gateway listening');

  return {
    broker,
    tcpPort,
    tlsPort,
    stats: () => ({ inflightBytes: pipeline.inflightBytes, peakInflightBytes: pipeline.peakInflightBytes, queued: pipeline.queued, connections: authenticated, paused: pipeline.overBudget }),
    async close() {
      // A server's close callback waits for its connections, which the broker closes below.
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      await pipeline.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const c of connections) c.destroy();
      await Promise.all(closed);
      await options.intake.close();
    },
  };
}
