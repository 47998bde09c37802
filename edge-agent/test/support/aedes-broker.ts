import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface TestBrokerOptions {
  /** Reuse a port (restart after an outage); 0 picks a free one. */
  readonly port?: number;
  /** Delay before the PUBACK, as the gateway waits for Kafka. */
  readonly pubackDelayMs?: number;
  /** Required credentials (the gateway's username = site id, password = site secret). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Every publish from a client, before its PUBACK. */
  readonly onPublish?: (topic: string, payload: Buffer, clientId: string) => void;
}

export interface TestBroker {
  readonly port: number;
  readonly url: string;
  readonly broker: Aedes;
  /** Publishes from the broker side (the cloud's downlink). */
  publish(topic: string, payload: string | Buffer, retain?: boolean): Promise<void>;
  /** Stops listening and drops every connection (an outage). */
  stop(): Promise<void>;
}

/** An in-process aedes broker on 127.0.0.1, acking like the gateway: after it kept the message. */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const broker = new Aedes({
    authenticate: (_client, username, password, done) => {
      const want = options.credentials;
      if (want === undefined) return done(null, true);
      const ok = username === want.username && password !== undefined && Buffer.from(password).toString() === want.password;
      if (ok) return done(null, true);
      const err = Object.assign(new Error('bad credentials'), { returnCode: 4 as const });
      done(err, false);
    },
    authorizePublish: (client, packet, done) => {
      const finish = () => {
        if (client !== null) options.onPublish?.(packet.topic, Buffer.from(packet.payload), client.id);
        done(null);
      };
      if (options.pubackDelayMs) setTimeout(finish, options.pubackDelayMs);
      else finish();
    },
  });
  await broker.listen();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    publish: (topic, payload, retain = false) =>
      new Promise((resolve, reject) =>
        broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, (err) => (err ? reject(err) : resolve())),
      ),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
