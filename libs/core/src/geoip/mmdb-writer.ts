// A small MaxMind DB (format 2.0) writer: enough to build test fixtures and operator-made
// databases that the `maxmind` package and MaxMind's own readers open.
import { writeFileSync } from 'node:fs';
import { parseCidr } from './ip-address.js';
import { MAXMIND_KEY_TYPES, MmdbDataEncoder, mmdb, type MmdbTypeName, type MmdbValue } from './mmdb-data-encoder.js';

/** Options of `MmdbWriter`. */
export interface MmdbWriterOptions {
  /** The `database_type` metadata, e.g. `GeoLite2-City`. */
  databaseType: string;
  /** 6 stores IPv4 networks under `::/96` (and aliases `::ffff:0:0/96` and `2002::/16` to them). */
  ipVersion: 4 | 6;
  /** English description. @default the database type */
  description?: string;
  /** @default ['en'] */
  languages?: string[];
  /** Seconds since the epoch. @default now */
  buildEpoch?: number;
  /** Forces a record size; the smallest that fits is used when it is too small or absent. */
  recordSize?: 24 | 28 | 32;
  /** Types of map values by key. @default MAXMIND_KEY_TYPES */
  keyTypes?: Readonly<Record<string, MmdbTypeName>>;
  /** Point repeated values at their first copy. @default true */
  dedup?: boolean;
}

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'); // "\xAB\xCD\xEFMaxMind.com"
const EMPTY = -1;

/** Picks the smallest record size (24, 28 or 32 bits) that can hold `maxRecordValue`. */
export function chooseRecordSize(maxRecordValue: number, minimum: 24 | 28 | 32 = 24): 24 | 28 | 32 {
  for (const size of [24, 28, 32] as const) {
    if (size >= minimum && maxRecordValue < 2 ** size) return size;
  }
  throw new RangeError('the database is too large for the MaxMind DB format (records over 32 bits)');
}

/** Builds a MaxMind DB in memory: insert networks with their records, then `toBuffer()` or `write(path)`. */
export class MmdbWriter {
  // Each node has two slots: EMPTY, a node index (>= 0), or -(assignment + 2) for data.
  private slots = new Int32Array(2 * 1024);
  private nodeCount = 1;
  // An assignment is one inserted network: its record and its prefix length, so that a broader
  // network inserted later fills only the gaps and never replaces a more specific one.
  private readonly assignmentRecord: number[] = [];
  private readonly assignmentPrefix: number[] = [];
  private readonly records: Array<MmdbValue | object> = [];
  private readonly recordIndex = new Map<object, number>();

  constructor(private readonly options: MmdbWriterOptions) {
    if (options.ipVersion !== 4 && options.ipVersion !== 6) throw new TypeError('ipVersion must be 4 or 6');
    if (!options.databaseType) throw new TypeError('databaseType is required');
    this.slots.fill(EMPTY);
  }

  /** Maps every address in `cidr` to `record`; the most specific network wins whatever the insert order. */
  insert(cidr: string, record: MmdbValue | object): this {
    const parsed = parseCidr(cidr);
    let { bytes, prefix } = parsed;
    let offset = 0; // the bit where the address starts in the tree
    if (this.options.ipVersion === 4) {
      if (parsed.version === 6) throw new TypeError(`"${cidr}" is IPv6 but the database is IPv4-only`);
    } else if (parsed.version === 4) {
      offset = 96;
    } else if (prefix >= 96 && isMappedPrefix(bytes)) {
      // ::ffff:a.b.c.d is an alias of the IPv4 tree: store it there instead.
      bytes = bytes.slice(12);
      prefix -= 96;
      offset = 96;
    } else if (prefix >= 16 && bytes[0] === 0x20 && bytes[1] === 0x02) {
      throw new TypeError(`"${cidr}" is inside 2002::/16 (6to4), which is answered from the IPv4 networks`);
    }
    let index = typeof record === 'object' && record !== null ? this.recordIndex.get(record) : undefined;
    if (index === undefined) {
      index = this.records.push(record) - 1;
      if (typeof record === 'object' && record !== null) this.recordIndex.set(record, index);
    }
    const assignment = this.assignmentRecord.push(index) - 1;
    this.assignmentPrefix.push(offset + prefix);
    const total = offset + prefix;
    let node = 0;
    for (let depth = 0; depth < total; depth++) {
      const bit = depth < offset ? 0 : (bytes[(depth - offset) >> 3] >> (7 - ((depth - offset) & 7))) & 1;
      const slot = node * 2 + bit;
      if (depth === total - 1) return (this.assign(slot, assignment), this);
      const value = this.slots[slot];
      if (value >= 0) {
        node = value;
      } else {
        // Split an empty or data slot: both halves keep what the whole had.
        const child = this.newNode(value, value);
        this.slots[slot] = child;
        node = child;
      }
    }
    // A /0 network covers the whole tree: both root slots.
    this.assign(0, assignment);
    this.assign(1, assignment);
    return this;
  }

  /** Serialises the search tree, the data section and the metadata. */
  toBuffer(): Buffer {
    if (this.options.ipVersion === 6) this.aliasIpv4();
    const data = new MmdbDataEncoder(this.options.keyTypes ?? MAXMIND_KEY_TYPES, this.options.dedup ?? true);
    const recordOffsets = this.records.map((record) => data.store(record));
    const nodeCount = this.nodeCount;
    const recordSize = chooseRecordSize(nodeCount + 16 + data.size, this.options.recordSize);
    const nodeBytes = recordSize / 4;
    const tree = Buffer.alloc(nodeCount * nodeBytes);
    const recordValue = (slot: number): number => {
      const v = this.slots[slot];
      if (v === EMPTY) return nodeCount;
      if (v >= 0) return v;
      return nodeCount + 16 + recordOffsets[this.assignmentRecord[-v - 2]];
    };
    for (let node = 0; node < nodeCount; node++) {
      const left = recordValue(node * 2);
      const right = recordValue(node * 2 + 1);
      const at = node * nodeBytes;
      if (recordSize === 24) {
        tree.writeUIntBE(left, at, 3);
        tree.writeUIntBE(right, at + 3, 3);
      } else if (recordSize === 28) {
        // The middle byte holds the top four bits of the left record, then those of the right one.
        tree.writeUIntBE(left & 0xffffff, at, 3);
        tree[at + 3] = ((left >>> 24) << 4) | (right >>> 24);
        tree.writeUIntBE(right & 0xffffff, at + 4, 3);
      } else {
        tree.writeUInt32BE(left, at);
        tree.writeUInt32BE(right, at + 4);
      }
    }
    const metadata = new MmdbDataEncoder(MAXMIND_KEY_TYPES, false);
    metadata.store({
      binary_format_major_version: mmdb.uint16(2),
      binary_format_minor_version: mmdb.uint16(0),
      build_epoch: mmdb.uint64(BigInt(this.options.buildEpoch ?? Math.floor(Date.now() / 1000))),
      database_type: this.options.databaseType,
      description: { en: this.options.description ?? this.options.databaseType },
      ip_version: mmdb.uint16(this.options.ipVersion),
      languages: this.options.languages ?? ['en'],
      node_count: mmdb.uint32(nodeCount),
      record_size: mmdb.uint16(recordSize),
    });
    return Buffer.concat([tree, Buffer.alloc(16), data.toBuffer(), METADATA_MARKER, metadata.toBuffer()]);
  }

  /** Writes the database to `path`. */
  write(path: string): void {
    writeFileSync(path, this.toBuffer());
  }

  private assign(slot: number, assignment: number): void {
    const value = this.slots[slot];
    if (value >= 0) {
      // A subtree of more specific networks: fill its gaps and its broader-or-equal data.
      this.assign(value * 2, assignment);
      this.assign(value * 2 + 1, assignment);
    } else if (value === EMPTY || this.assignmentPrefix[-value - 2] <= this.assignmentPrefix[assignment]) {
      this.slots[slot] = -(assignment + 2);
    }
  }

  private newNode(left: number, right: number): number {
    const index = this.nodeCount++;
    if (index * 2 + 2 > this.slots.length) {
      const grown = new Int32Array(this.slots.length * 2).fill(EMPTY);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[index * 2] = left;
    this.slots[index * 2 + 1] = right;
    return index;
  }

  // MaxMind's own databases answer IPv4-mapped (::ffff:0:0/96) and 6to4 (2002::/16) addresses
  // from the IPv4 data by pointing those subtrees at the ::/96 node.
  private aliasIpv4(): void {
    const ipv4Root = this.pathTo(Buffer.alloc(16), 96, true);
    if (ipv4Root < 0) return;
    const mapped = Buffer.from('00000000000000000000ffff00000000', 'hex');
    const sixToFour = Buffer.from('20020000000000000000000000000000', 'hex');
    for (const [bytes, prefix] of [
      [mapped, 96],
      [sixToFour, 16],
    ] as const) {
      const parent = this.pathTo(bytes, prefix - 1, false);
      if (parent < 0) continue;
      const bit = (bytes[(prefix - 1) >> 3] >> (7 - ((prefix - 1) & 7))) & 1;
      this.slots[parent * 2 + bit] = ipv4Root;
    }
  }

  // The node reached after `bits` bits of `bytes`, creating empty nodes on the way; -1 when data
  // covers the path (a broad IPv6 network already answers for it).
  private pathTo(bytes: Uint8Array, bits: number, requireExisting: boolean): number {
    let node = 0;
    for (let depth = 0; depth < bits; depth++) {
      const slot = node * 2 + ((bytes[depth >> 3] >> (7 - (depth & 7))) & 1);
      const value = this.slots[slot];
      if (value >= 0) node = value;
      else if (value !== EMPTY || requireExisting) return -1;
      else {
        node = this.newNode(EMPTY, EMPTY); // may replace this.slots, so assign afterwards
        this.slots[slot] = node;
      }
    }
    return node;
  }
}

function isMappedPrefix(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}
