// Structural check of a MaxMind DB before it is trusted. The `maxmind` reader decodes lazily and
// trusts field sizes (a double of the wrong size reads as a garbage number, an out-of-range tree
// record throws only when an address reaches it), so a broken file would fail at lookup time on
// the request path. This walks every tree record and every data record a lookup can reach once,
// without building values, and names the first problem.
import { isUtf8 } from 'node:buffer';

const MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
const METADATA_MAX = 128 * 1024;
const MAX_DEPTH = 32;
const EXTENDED_SIZE_LIMIT: Record<number, number> = { 5: 2, 6: 4, 8: 4, 9: 8, 10: 16 };

/** The metadata map of a MaxMind DB, with its keys as written in the file. */
export interface MmdbMetadata {
  binary_format_major_version: number;
  binary_format_minor_version: number;
  build_epoch: bigint | number;
  database_type: string;
  description?: Record<string, string>;
  ip_version: 4 | 6;
  languages?: string[];
  node_count: number;
  record_size: 24 | 28 | 32;
  [key: string]: unknown;
}

/** A MaxMind DB that is not structurally valid. */
export class MmdbFormatError extends Error {
  override name = 'MmdbFormatError';
}

/** Reads the metadata of a MaxMind DB without checking the rest of the file. @throws MmdbFormatError */
export function readMmdbMetadata(db: Buffer): MmdbMetadata {
  const at = db.lastIndexOf(MARKER);
  if (at < 0 || db.length - at > METADATA_MAX) {
    throw new MmdbFormatError('no MaxMind DB metadata marker: this is not a .mmdb file');
  }
  // Pointers inside the metadata count from its start.
  const section = db.subarray(at + MARKER.length);
  const decoded = decode(section, 0, section.length, 0);
  if (typeof decoded.value !== 'object' || decoded.value === null || Array.isArray(decoded.value)) {
    throw new MmdbFormatError('the metadata is not a map');
  }
  return decoded.value as MmdbMetadata;
}

// Search-tree nodes checked between two yields: about 15 ms of work on this machine, so a
// reload of a full City database never stalls requests for longer than that.
const NODES_PER_SLICE = 50_000;

/** Checks the metadata, the search tree and every reachable data record; returns the metadata. @throws MmdbFormatError */
export function verifyMmdb(db: Buffer): MmdbMetadata {
  const steps = verification(db);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * {@link verifyMmdb} in slices, giving the event loop a turn between them: a large file is
 * checked while requests keep being served. @throws MmdbFormatError
 */
export async function verifyMmdbInSlices(db: Buffer): Promise<MmdbMetadata> {
  const steps = verification(db);
  let step = steps.next();
  while (!step.done) {
    await new Promise((resolve) => setImmediate(resolve));
    step = steps.next();
  }
  return step.value;
}

// The check itself, pausing (yield) every NODES_PER_SLICE nodes.
function* verification(db: Buffer): Generator<void, MmdbMetadata, void> {
  const meta = readMmdbMetadata(db);
  const { node_count: nodeCount, record_size: recordSize, ip_version: ipVersion } = meta;
  if (meta.binary_format_major_version !== 2) {
    throw new MmdbFormatError(`unsupported binary_format_major_version ${String(meta.binary_format_major_version)}`);
  }
  if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32)
    throw new MmdbFormatError(`bad record_size ${recordSize}`);
  if (ipVersion !== 4 && ipVersion !== 6) throw new MmdbFormatError(`bad ip_version ${ipVersion}`);
  if (typeof meta.database_type !== 'string') throw new MmdbFormatError('database_type is missing');
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new MmdbFormatError(`bad node_count ${nodeCount}`);
  const treeSize = (nodeCount * recordSize) / 4;
  const dataStart = treeSize + 16;
  const dataEnd = db.lastIndexOf(MARKER);
  if (dataStart > dataEnd) {
    throw new MmdbFormatError(`node_count ${nodeCount} needs a ${treeSize}-byte search tree but the file is smaller`);
  }
  for (let i = treeSize; i < dataStart; i++) {
    if (db[i] !== 0) throw new MmdbFormatError('the 16-byte data section separator is not all zeros');
  }
  const dataSize = dataEnd - dataStart;
  const data = db.subarray(dataStart, dataEnd);
  const checked = new Set<number>();
  const nodeBytes = recordSize / 4;
  for (let node = 0; node < nodeCount; node++) {
    if (node > 0 && node % NODES_PER_SLICE === 0) yield;
    const at = node * nodeBytes;
    for (let side = 0; side < 2; side++) {
      const record = readRecord(db, at, side, recordSize);
      if (record <= nodeCount) continue;
      const offset = record - nodeCount - 16;
      if (offset < 0 || offset >= dataSize) {
        throw new MmdbFormatError(`search tree node ${node} points outside the data section`);
      }
      if (!checked.has(offset)) {
        checked.add(offset);
        decode(data, offset, dataSize, 0, checked);
      }
    }
  }
  return meta;
}

function readRecord(db: Buffer, at: number, side: number, recordSize: number): number {
  if (recordSize === 24) return db.readUIntBE(at + side * 3, 3);
  if (recordSize === 32) return db.readUInt32BE(at + side * 4);
  const high = side === 0 ? db[at + 3] >> 4 : db[at + 3] & 0x0f;
  return high * 0x1000000 + db.readUIntBE(at + side * 4, 3);
}

interface Decoded {
  value: unknown;
  end: number;
  type: number;
}

// Decodes (or, with `checked`, only validates and skips) the field at `offset` of `section`.
function decode(section: Buffer, offset: number, limit: number, depth: number, checked?: Set<number>): Decoded {
  if (depth > MAX_DEPTH) throw new MmdbFormatError('data nested too deeply (a pointer loop?)');
  if (offset >= limit) throw new MmdbFormatError(`data field at ${offset} runs past the end of its section`);
  const control = section[offset++];
  let type = control >> 5;
  if (type === 1) {
    const sizeBits = (control >> 3) & 3;
    const need = sizeBits + 1;
    if (offset + need > limit) throw new MmdbFormatError('truncated pointer');
    let target: number;
    if (sizeBits === 0) target = ((control & 7) << 8) | section[offset];
    else if (sizeBits === 1) target = 2048 + (((control & 7) << 16) | section.readUInt16BE(offset));
    else if (sizeBits === 2) target = 526_336 + (control & 7) * 0x1000000 + section.readUIntBE(offset, 3);
    else target = section.readUInt32BE(offset);
    if (target >= limit) throw new MmdbFormatError(`pointer at ${offset - 1} points outside the data section`);
    const end = offset + need;
    if (checked) {
      const known = checked.has(target);
      const pointee = known ? { type: section[target] >> 5 } : decode(section, target, limit, depth + 1, checked);
      checked.add(target);
      return { value: undefined, end, type: pointee.type };
    }
    return { ...decode(section, target, limit, depth + 1), end };
  }
  if (type === 0) {
    if (offset >= limit) throw new MmdbFormatError('truncated extended type');
    type = 7 + section[offset++];
    if (type < 8 || type > 15 || type === 12 || type === 13) {
      throw new MmdbFormatError(`unknown data type ${type} at ${offset - 2}`);
    }
  }
  let size = control & 0x1f;
  if (size >= 29) {
    const extra = size - 28;
    if (offset + extra > limit) throw new MmdbFormatError('truncated size');
    const n = section.readUIntBE(offset, extra);
    size = extra === 1 ? 29 + n : extra === 2 ? 285 + n : 65_821 + n;
    offset += extra;
  }
  if (type === 7 || type === 11) return container(section, type, size, offset, limit, depth, checked);
  if (type === 14) {
    if (size > 1) throw new MmdbFormatError(`boolean of size ${size} at ${offset - 1}`);
    return { value: size === 1, end: offset, type };
  }
  const end = offset + size;
  if (end > limit) throw new MmdbFormatError(`data field at ${offset} runs past the end of its section`);
  if ((type === 3 && size !== 8) || (type === 15 && size !== 4) || size > (EXTENDED_SIZE_LIMIT[type] ?? Infinity)) {
    throw new MmdbFormatError(`a field of type ${type} has invalid size ${size} at offset ${offset}`);
  }
  if (type === 2 && !isUtf8(section.subarray(offset, end))) throw new MmdbFormatError(`invalid UTF-8 at ${offset}`);
  if (checked) return { value: undefined, end, type };
  switch (type) {
    case 2:
      return { value: section.toString('utf8', offset, end), end, type };
    case 3:
      return { value: section.readDoubleBE(offset), end, type };
    case 15:
      return { value: section.readFloatBE(offset), end, type };
    case 9:
    case 10: {
      let n = 0n;
      for (let i = offset; i < end; i++) n = (n << 8n) | BigInt(section[i]);
      return { value: n, end, type };
    }
    case 4:
      return { value: section.subarray(offset, end), end, type };
    default:
      if (size === 0) return { value: 0, end, type };
      return {
        value: type === 8 && size === 4 ? section.readInt32BE(offset) : section.readUIntBE(offset, size),
        end,
        type,
      };
  }
}

function container(
  section: Buffer,
  type: number,
  size: number,
  offset: number,
  limit: number,
  depth: number,
  checked?: Set<number>,
): Decoded {
  const map: Record<string, unknown> = {};
  const list: unknown[] = [];
  for (let i = 0; i < size; i++) {
    if (type === 7) {
      const key = decode(section, offset, limit, depth + 1, checked);
      if (key.type !== 2) throw new MmdbFormatError(`a map key at ${offset} is not a string`);
      const value = decode(section, key.end, limit, depth + 1, checked);
      if (!checked) map[key.value as string] = value.value;
      offset = value.end;
    } else {
      const item = decode(section, offset, limit, depth + 1, checked);
      if (!checked) list.push(item.value);
      offset = item.end;
    }
  }
  return { value: type === 7 ? map : list, end: offset, type };
}
