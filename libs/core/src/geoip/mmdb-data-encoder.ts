// Encodes values into the data section of a MaxMind DB (format 2.0, "Output Data Section").

/** The MaxMind DB data type numbers a value can be written as. */
export const MmdbType = {
  utf8: 2,
  double: 3,
  bytes: 4,
  uint16: 5,
  uint32: 6,
  map: 7,
  int32: 8,
  uint64: 9,
  uint128: 10,
  array: 11,
  boolean: 14,
  float: 15,
} as const;

/** The name of a MaxMind DB data type. */
export type MmdbTypeName = keyof typeof MmdbType;

/** A value pinned to one MaxMind DB type, for numbers whose type cannot be guessed (e.g. a whole-number latitude). */
export class MmdbTyped {
  constructor(
    readonly type: MmdbTypeName,
    readonly value: unknown,
  ) {}
}

/** Any value the writer can store: plain JSON-like values, bigints, Buffers and `MmdbTyped` wrappers. */
export type MmdbValue =
  | string
  | number
  | bigint
  | boolean
  | Buffer
  | MmdbTyped
  | readonly MmdbValue[]
  | { readonly [key: string]: MmdbValue };

/** Helpers that pin a value's type, e.g. `mmdb.uint16(10)` or `mmdb.double(52)`. */
export const mmdb = Object.fromEntries(
  (Object.keys(MmdbType) as MmdbTypeName[]).map((name) => [name, (value: unknown) => new MmdbTyped(name, value)]),
) as { [K in MmdbTypeName]: (value: unknown) => MmdbTyped };

/**
 * The types MaxMind uses for well-known keys, so `{ latitude: 52 }` is stored as a double and
 * `accuracy_radius` as uint16 the way GeoIP2 readers in typed languages expect.
 */
export const MAXMIND_KEY_TYPES: Readonly<Record<string, MmdbTypeName>> = {
  latitude: 'double',
  longitude: 'double',
  accuracy_radius: 'uint16',
  metro_code: 'uint16',
  population_density: 'uint32',
  confidence: 'uint16',
  geoname_id: 'uint32',
  autonomous_system_number: 'uint32',
  binary_format_major_version: 'uint16',
  binary_format_minor_version: 'uint16',
  build_epoch: 'uint64',
  ip_version: 'uint16',
  node_count: 'uint32',
  record_size: 'uint16',
};

const UINT_BYTES: Partial<Record<MmdbTypeName, number>> = { uint16: 2, uint32: 4, uint64: 8, uint128: 16 };

/** Appends MaxMind DB encoded values to a growing buffer, pointing repeated maps, arrays and strings at their first copy. */
export class MmdbDataEncoder {
  private buffer = Buffer.alloc(64 * 1024);
  private length = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly keyTypes: Readonly<Record<string, MmdbTypeName>> = MAXMIND_KEY_TYPES,
    private readonly dedup = true,
  ) {}

  /** The bytes written so far. */
  get size(): number {
    return this.length;
  }

  /** Stores a value (or finds an identical one already stored) and returns its offset in the data section. */
  store(value: MmdbValue | object): number {
    const key = this.dedup ? canonicalKey(value as MmdbValue, undefined, this.keyTypes) : '';
    const known = this.dedup ? this.seen.get(key) : undefined;
    if (known !== undefined) return known;
    const offset = this.length;
    this.write(value as MmdbValue, undefined, key);
    if (this.dedup) this.seen.set(key, offset);
    return offset;
  }

  /** The encoded data section (without the 16-byte separator). */
  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private write(value: MmdbValue, hint: MmdbTypeName | undefined, knownKey?: string): void {
    const type = typeOf(value, hint);
    const raw = value instanceof MmdbTyped ? value.value : value;
    // Maps, arrays and longer strings repeat across records (names, countries): a pointer is shorter.
    if (
      this.dedup &&
      (type === 'map' || type === 'array' || (type === 'utf8' && Buffer.byteLength(raw as string) > 3))
    ) {
      const key = knownKey ?? canonicalKey(value, hint, this.keyTypes);
      const known = this.seen.get(key);
      if (known !== undefined) return this.pointer(known);
      this.seen.set(key, this.length);
    }
    switch (type) {
      case 'utf8': {
        const bytes = Buffer.from(raw as string, 'utf8');
        this.control(MmdbType.utf8, bytes.length);
        return this.bytes(bytes);
      }
      case 'bytes':
        this.control(MmdbType.bytes, (raw as Buffer).length);
        return this.bytes(raw as Buffer);
      case 'double':
        this.control(MmdbType.double, 8);
        this.reserve(8);
        this.length = this.buffer.writeDoubleBE(Number(raw), this.length);
        return;
      case 'float':
        this.control(MmdbType.float, 4);
        this.reserve(4);
        this.length = this.buffer.writeFloatBE(Number(raw), this.length);
        return;
      case 'boolean':
        return this.control(MmdbType.boolean, raw ? 1 : 0);
      case 'int32': {
        const n = checkInteger(raw, -0x80000000, 0x7fffffff, type);
        // The reader treats fewer than four bytes as unsigned, so negatives always take four.
        const bytes = unsignedBytes(BigInt(n < 0 ? n >>> 0 : n));
        this.control(MmdbType.int32, bytes.length);
        return this.bytes(bytes);
      }
      case 'map': {
        const entries = Object.entries(raw as Record<string, MmdbValue>);
        this.control(MmdbType.map, entries.length);
        for (const [key, item] of entries) {
          this.write(key, 'utf8');
          this.write(item, this.keyTypes[key]);
        }
        return;
      }
      case 'array': {
        const items = raw as readonly MmdbValue[];
        this.control(MmdbType.array, items.length);
        for (const item of items) this.write(item, undefined);
        return;
      }
      default: {
        const width = UINT_BYTES[type] as number;
        const max = (1n << BigInt(width * 8)) - 1n;
        const n = typeof raw === 'bigint' ? raw : BigInt(checkInteger(raw, 0, Number.MAX_SAFE_INTEGER, type));
        if (n < 0n || n > max) throw new RangeError(`${String(raw)} does not fit in ${type}`);
        const bytes = unsignedBytes(n);
        this.control(MmdbType[type], bytes.length);
        return this.bytes(bytes);
      }
    }
  }

  private control(type: number, size: number): void {
    this.reserve(6);
    const b = this.buffer;
    const first = type < 8 ? type << 5 : 0;
    const at = this.length;
    let next = at + 1;
    if (type >= 8) b[next++] = type - 7; // extended types keep their number in the byte after the control byte
    if (size < 29) {
      b[at] = first | size;
    } else if (size < 285) {
      b[at] = first | 29;
      b[next++] = size - 29;
    } else if (size < 65_821) {
      b[at] = first | 30;
      next = b.writeUInt16BE(size - 285, next);
    } else if (size < 65_821 + 0x1000000) {
      b[at] = first | 31;
      next = b.writeUIntBE(size - 65_821, next, 3);
    } else {
      throw new RangeError(`a value of ${size} bytes or items is too large for the MaxMind DB format`);
    }
    this.length = next;
  }

  private pointer(target: number): void {
    this.reserve(5);
    const b = this.buffer;
    let at = this.length;
    if (target < 2048) {
      b[at++] = 0x20 | (target >> 8);
      b[at++] = target & 0xff;
    } else if (target < 526_336) {
      const v = target - 2048;
      b[at++] = 0x28 | (v >> 16);
      at = b.writeUInt16BE(v & 0xffff, at);
    } else if (target < 134_744_064) {
      const v = target - 526_336;
      b[at++] = 0x30 | (v >>> 24);
      at = b.writeUIntBE(v & 0xffffff, at, 3);
    } else {
      b[at++] = 0x38;
      at = b.writeUInt32BE(target, at);
    }
    this.length = at;
  }

  private bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = Buffer.alloc(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

function typeOf(value: unknown, hint: MmdbTypeName | undefined): MmdbTypeName {
  if (value instanceof MmdbTyped) {
    if (!(value.type in MmdbType)) throw new TypeError(`unknown MaxMind DB type "${value.type}"`);
    return value.type;
  }
  switch (typeof value) {
    case 'string':
      return 'utf8';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return hint && hint in UINT_BYTES ? hint : value < 1n << 64n ? 'uint64' : 'uint128';
    case 'number':
      if (hint && hint !== 'utf8' && hint !== 'map' && hint !== 'array' && hint !== 'boolean') return hint;
      if (!Number.isInteger(value)) return 'double';
      if (value >= 0 && value <= 0xffffffff) return 'uint32';
      if (value < 0 && value >= -0x80000000) return 'int32';
      return 'double';
    case 'object':
      if (value === null) break;
      if (Buffer.isBuffer(value)) return 'bytes';
      return Array.isArray(value) ? 'array' : 'map';
  }
  throw new TypeError(`cannot store ${value === null ? 'null' : typeof value} in a MaxMind DB`);
}

function checkInteger(raw: unknown, min: number, max: number, type: string): number {
  const n = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${String(raw)} is not a valid ${type}`);
  }
  return n;
}

function unsignedBytes(n: bigint): Uint8Array {
  const out: number[] = [];
  for (let v = n; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn));
  return Uint8Array.from(out);
}

// Identical canonical keys encode to identical bytes, so the first copy can stand in for later ones.
function canonicalKey(
  value: MmdbValue,
  hint: MmdbTypeName | undefined,
  keyTypes: Readonly<Record<string, MmdbTypeName>>,
): string {
  const type = typeOf(value, hint);
  const raw = value instanceof MmdbTyped ? value.value : value;
  switch (type) {
    case 'map':
      return `m{${Object.entries(raw as Record<string, MmdbValue>)
        .map(([k, v]) => `${JSON.stringify(k)}:${canonicalKey(v, keyTypes[k], keyTypes)}`)
        .join(',')}}`;
    case 'array':
      return `a[${(raw as MmdbValue[]).map((v) => canonicalKey(v, undefined, keyTypes)).join(',')}]`;
    case 'utf8':
      return JSON.stringify(raw);
    case 'bytes':
      return `b${(raw as Buffer).toString('hex')}`;
    default:
      return `${type}:${String(raw)}`;
  }
}
