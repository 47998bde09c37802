import { randomBytes } from 'node:crypto';
import type { Clock } from '@dcmms/shared';

/**
 * UUIDv7 (RFC 9562): the first 48 bits are the creation time in ms, so ids sort in creation
 * order and a list ordered by id is a list ordered by creation, with the primary key as the
 * index. Monotonic within one generator even when several ids share a millisecond.
 */
export function createIdGenerator(clock: Clock): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = clock.now();
    if (ms <= lastMs) {
      ms = lastMs;
      counter += 1;
      // 12 bits of sub-millisecond counter; past it, borrow the next millisecond.
      if (counter > 0xfff) {
        ms = lastMs + 1;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    lastMs = ms;
    const b = randomBytes(16);
    b.writeUIntBE(ms, 0, 6);
    b[6] = 0x70 | (counter >> 8);
    b[7] = counter & 0xff;
    b[8] = 0x80 | (b[8]! & 0x3f);
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
