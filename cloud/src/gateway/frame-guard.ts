import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export interface OversizedPacket {
  /** Remaining length the packet declared. */
  readonly declaredBytes: number;
  /** MQTT packet type (3 = PUBLISH). */
  readonly packetType: number;
  /** The first bytes of the packet that had arrived (at most `keepBytes`). */
  readonly head: Buffer;
}

export interface FrameGuardOptions {
  /** Largest remaining length accepted; a bigger packet closes the connection before it is buffered. */
  readonly maxPacketBytes: number;
  /** How much of an oversized packet is kept for the dead letter. */
  readonly keepBytes?: number;
  readonly onOversized: (packet: OversizedPacket) => void;
}

/** A connection aedes reads through, which the gateway can stop reading (backpressure). */
export interface GuardedConnection extends Duplex {
  /** Stops reading the socket for `reason` until resumeReading(reason); several reasons stack. */
  pauseReading(reason: string): void;
  resumeReading(reason: string): void;
  readonly remoteAddress: string | undefined;
}

/**
 * Sits between a socket and aedes. It follows MQTT packet boundaries (type byte + remaining
 * length, never the bodies) so it can refuse a packet by its declared size before anyone
 * buffers it (aedes has no packet size limit and mqtt-packet would collect a 256 MB packet),
 * and it owns the socket's flow: when the gateway is over its in-flight budget it stops
 * reading, so slow Kafka means TCP backpressure on the edges, not memory growth here.
 */
export function guardConnection(socket: Socket, options: FrameGuardOptions): GuardedConnection {
  const keep = options.keepBytes ?? 64 * 1024;
  const reasons = new Set<string>();
  // Parser state: bytes of the current packet body still to skip, or the header being read.
  let skip = 0;
  let header: number[] = [];
  let refused = false;

  const update = () => {
    if (reasons.size > 0) socket.pause();
    else socket.resume();
  };

  /** False when the chunk holds an oversized packet (the connection is then closed). */
  function scan(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      header.push(chunk[i]!);
      i++;
      if (header.length === 1) continue;
      const last = header[header.length - 1]!;
      if (last & 0x80 && header.length < 5) continue;
      let length = 0;
      for (let k = header.length - 1; k >= 1; k--) length = length * 128 + (header[k]! & 0x7f);
      const type = header[0]! >> 4;
      if (last & 0x80 || length > options.maxPacketBytes) {
        const start = Math.max(0, i - header.length);
        options.onOversized({ declaredBytes: length, packetType: type, head: Buffer.from(chunk.subarray(start, Math.min(chunk.length, start + keep))) });
        return false;
      }
      header = [];
      skip = length;
    }
    return true;
  }

  const stream = new Duplex({
    allowHalfOpen: false,
    read() {
      reasons.delete('consumer');
      update();
    },
    write(chunk: Buffer, _enc, cb) {
      if (socket.destroyed) return cb(new Error('connection closed'));
      socket.write(chunk, (err) => cb(err ?? null));
    },
    writev(chunks, cb) {
      if (socket.destroyed) return cb(new Error('connection closed'));
      socket.write(Buffer.concat(chunks.map((c) => c.chunk as Buffer)), (err) => cb(err ?? null));
    },
    final(cb) {
      socket.end(() => cb());
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  }) as GuardedConnection;

  socket.on('data', (chunk: Buffer) => {
    if (refused) return;
    if (!scan(chunk)) {
      refused = true;
      socket.destroy();
      stream.destroy();
      return;
    }
    if (!stream.push(chunk)) {
      reasons.add('consumer');
      update();
    }
  });
  socket.on('end', () => stream.push(null));
  socket.on('error', (err) => stream.destroy(err));
  socket.on('close', () => stream.destroy());

  stream.pauseReading = (reason) => {
    reasons.add(reason);
    update();
  };
  stream.resumeReading = (reason) => {
    if (reasons.delete(reason)) update();
  };
  Object.defineProperty(stream, 'remoteAddress', { get: () => socket.remoteAddress });
  return stream;
}
