/**
 * Tag names repeat in every batch a site sends (the same 2,000 tags each second), so the
 * work done per distinct name (validation, UTF-8 encoding or decoding, splitting off the
 * family) is remembered across calls. Names are immutable, so a cached verdict stays true.
 * Both caches are bounded and simply start over when they grow past their size.
 *
 * A tag's "family" is its leaf, what follows the last '/': `inv-07/ac_power_kw` and
 * `inv-08/ac_power_kw` are the same point on two devices and carry similar values, so a
 * series is predicted from the previous series of its family (see values.ts). The family
 * only steers prediction; any naming scheme round-trips.
 */

export interface CacheBounds {
  readonly maxNames: number;
  /** Decoder side: hostile batches of long unique names must not grow the cache past this. */
  readonly maxBytes: number;
}

const DEFAULT_BOUNDS: CacheBounds = { maxNames: 131_072, maxBytes: 16 * 1024 * 1024 };
/** Crafted FNV collisions must not turn a lookup into a long walk. */
const MAX_CHAIN = 8;

function leafOf(tag: string): string {
  const slash = tag.lastIndexOf('/');
  return slash < 0 ? tag : tag.slice(slash + 1);
}

/**
 * Leaf -> small integer. Prediction must see exactly the same families on both sides, so
 * ids are never dropped within a batch: the table is only cleared between batches, and
 * always together with the names that hold its ids.
 */
class FamilyTable {
  private readonly ids = new Map<string, number>();
  private chars = 0;

  constructor(private readonly bounds: CacheBounds) {}

  idOf(tag: string): number {
    const leaf = leafOf(tag);
    let id = this.ids.get(leaf);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(leaf, id);
      this.chars += leaf.length;
    }
    return id;
  }

  get size(): number {
    return this.ids.size;
  }

  get full(): boolean {
    return this.ids.size > this.bounds.maxNames || this.chars > this.bounds.maxBytes / 2;
  }

  clear(): void {
    this.ids.clear();
    this.chars = 0;
  }
}

export interface EncoderTag {
  readonly bytes: Buffer;
  readonly family: number;
  /** The batch (epoch) that last used this name, and its dictionary index in that batch. */
  epoch: number;
  index: number;
  /** The name that last preceded this one in a dictionary and the bytes they share. */
  before: EncoderTag | undefined;
  sharedWithBefore: number;
}

export class EncoderTagCache {
  private readonly names = new Map<string, EncoderTag>();
  private readonly families: FamilyTable;
  epoch = 0;

  constructor(private readonly bounds: CacheBounds = DEFAULT_BOUNDS) {
    this.families = new FamilyTable(bounds);
  }

  /** Start a batch: entries from earlier batches count as not yet in the dictionary. */
  begin(): number {
    if (this.names.size > this.bounds.maxNames || this.families.full) {
      this.names.clear();
      this.families.clear();
    }
    return ++this.epoch;
  }

  get(name: unknown): EncoderTag | undefined {
    return this.names.get(name as string);
  }

  /** `name` must already be validated. */
  add(name: string): EncoderTag {
    const entry: EncoderTag = { bytes: Buffer.from(name, 'utf8'), family: this.families.idOf(name), epoch: 0, index: 0, before: undefined, sharedWithBefore: 0 };
    this.names.set(name, entry);
    return entry;
  }

  get familyCount(): number {
    return this.families.size;
  }

  get size(): number {
    return this.names.size;
  }
}

export interface DecoderTag {
  readonly bytes: Buffer;
  readonly name: string;
  readonly family: number;
  /** Next entry with the same hash. */
  readonly next: DecoderTag | undefined;
  readonly cached: boolean;
  /**
   * The name that last followed this one in a dictionary, and the prefix they share. Tags
   * of one device request follow each other in every batch, so most dictionary entries
   * are found here by comparing their suffix alone, without hashing.
   */
  after: DecoderTag | undefined;
  sharedWithAfter: number;
}

/** FNV-1a over `buf[0, len)`. */
function hashBytes(buf: Uint8Array, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return h;
}

function sameBytes(a: Uint8Array, b: Uint8Array, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class DecoderTagCache {
  private readonly byHash = new Map<number, DecoderTag>();
  private readonly families: FamilyTable;
  private count = 0;
  private bytes = 0;

  constructor(private readonly bounds: CacheBounds = DEFAULT_BOUNDS) {
    this.families = new FamilyTable(bounds);
  }

  begin(): void {
    if (this.count > this.bounds.maxNames || this.bytes > this.bounds.maxBytes || this.families.full) {
      this.byHash.clear();
      this.families.clear();
      this.count = 0;
      this.bytes = 0;
    }
  }

  /**
   * The cached name whose UTF-8 is `buf[0, len)`, or `decode` it (validating) and cache it.
   * Past the bounds the name is still resolved, just not remembered.
   */
  resolve(buf: Uint8Array, len: number, decode: () => string): DecoderTag {
    const h = hashBytes(buf, len);
    const first = this.byHash.get(h);
    let depth = 0;
    for (let e = first; e !== undefined; e = e.next, depth++) if (sameBytes(e.bytes, buf, len)) return e;
    const name = decode();
    const cached = depth < MAX_CHAIN && this.count <= this.bounds.maxNames && this.bytes <= this.bounds.maxBytes;
    const entry: DecoderTag = { bytes: Buffer.from(buf.subarray(0, len)), name, family: this.families.idOf(name), next: first, cached, after: undefined, sharedWithAfter: 0 };
    if (cached) {
      this.byHash.set(h, entry);
      this.count++;
      // The name (2 bytes a unit), its UTF-8 and the entry's overhead.
      this.bytes += 2 * name.length + len + 64;
    }
    return entry;
  }

  get familyCount(): number {
    return this.families.size;
  }

  get size(): number {
    return this.count;
  }
}

/**
 * The entry that follows `previous` when the next tag shares `shared` bytes with it and
 * ends in `body[start, start + suffix)`, if it is the one remembered.
 */
export function rememberedAfter(previous: DecoderTag | undefined, shared: number, body: Uint8Array, start: number, suffix: number): DecoderTag | undefined {
  const candidate = previous?.after;
  if (candidate === undefined || previous?.sharedWithAfter !== shared || candidate.bytes.length !== shared + suffix) return undefined;
  const bytes = candidate.bytes;
  for (let k = 0; k < suffix; k++) if (bytes[shared + k] !== body[start + k]) return undefined;
  return candidate;
}

/** Remember that `next` followed `previous`; only cached entries are linked, so links retain nothing extra. */
export function rememberAfter(previous: DecoderTag | undefined, shared: number, next: DecoderTag): void {
  if (previous === undefined || !previous.cached || !next.cached) return;
  previous.after = next;
  previous.sharedWithAfter = shared;
}
