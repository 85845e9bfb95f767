import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Reader } from 'maxmind';
import { GEOIP_KINDS, GeoIpConfigError, type GeoIpKind } from './geoip-config.error.js';
import type { GeoIpHit, GeoIpLogger } from './geoip.types.js';
import { formatIpv4, formatNetwork, isIpv4Mapped, parseIp } from './ip-address.js';
import { MmdbFormatError, verifyMmdbInSlices, type MmdbMetadata } from './mmdb-verify.js';

/** Options of `GeoIpDatabase.open`. */
export interface GeoIpDatabaseOptions {
  /** Path of the .mmdb file. */
  path: string;
  /** Which database this is: decides the expected `database_type` and the variable named in errors. */
  kind: GeoIpKind;
  /** @default console */
  logger?: GeoIpLogger;
  /** How often to check the file for a replacement, in ms; 0 turns watching off. @default 30000 */
  watchIntervalMs?: number;
  /** How many decoded records to keep. @default 10000 */
  cacheSize?: number;
}

/** What is known about the loaded file. */
export interface GeoIpDatabaseInfo {
  readonly databaseType: string;
  readonly ipVersion: 4 | 6;
  readonly buildEpoch: Date;
  readonly loadedAt: Date;
}

interface Loaded {
  reader: Reader<never>;
  info: GeoIpDatabaseInfo;
  /** Which file on disk was read, so a replacement is told apart from the file in use. */
  identity: FileIdentity;
}

type FileIdentity = Pick<Stats, 'ino' | 'size' | 'mtimeMs'>;

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

const PROBES = ['1.1.1.1', '::1', '2001:db8::1'];

/** One MaxMind database file, checked when opened, reloaded when replaced on disk, looked up without throwing. */
export class GeoIpDatabase<T> {
  private current: Loaded;
  private readonly scratch = new Uint8Array(16);
  private reloading: Promise<boolean> = Promise.resolve(false);
  private closed = false;
  private watching = false;

  private constructor(
    private readonly options: GeoIpDatabaseOptions,
    private readonly logger: GeoIpLogger,
    loaded: Loaded,
  ) {
    this.current = loaded;
  }

  /** Opens and checks `path`, then watches it for replacement. @throws GeoIpConfigError when the file is missing, unreadable, corrupt or of the wrong type. */
  static async open<T>(options: GeoIpDatabaseOptions): Promise<GeoIpDatabase<T>> {
    const database = new GeoIpDatabase<T>(options, options.logger ?? console, await load(options));
    const interval = options.watchIntervalMs ?? 30_000;
    if (interval > 0) database.watch(interval);
    return database;
  }

  /** The path this database was opened from. */
  get path(): string {
    return this.options.path;
  }

  /** False once closed (at shutdown): lookups still answer, but the file is no longer watched. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Metadata of the file in use. */
  get info(): GeoIpDatabaseInfo {
    return this.current.info;
  }

  /** The record and network (CIDR) for an address, or null when unknown or when `ip` is not an IP address. */
  lookup(ip: string): GeoIpHit<T> | null {
    return this.lookupWith(ip, toHit);
  }

  /** Like `lookup`, but hands record and network to `project` so the caller builds the only result object. */
  lookupWith<R>(ip: string, project: (record: T, network: string) => R): R | null {
    return this.lookupRegion(ip, project)?.value ?? null;
  }

  /**
   * The answer for `ip` and the prefix length of the region of the file's tree it came from:
   * every address of that network (IPv4 addresses and IPv4-mapped IPv6 ones in IPv4 terms) gets
   * the same answer, a miss included (its prefix is that of the empty subtree), so a caller may
   * keep one answer per region instead of one per address. Null when `ip` is not an IP address.
   */
  lookupRegion<R>(ip: string, project: (record: T, network: string) => R): { value: R | null; prefix: number } | null {
    const bytes = this.scratch;
    let version = parseIp(ip, bytes);
    if (version === 0) return null;
    let address = ip;
    if (version === 6) {
      if (isIpv4Mapped(bytes)) {
        bytes.copyWithin(0, 12, 16);
        version = 4;
        address = formatIpv4(bytes);
      } else if (this.current.info.ipVersion === 4) {
        // An IPv4-only file knows no IPv6 address at all.
        return { value: null, prefix: 0 };
      } else if (ip.includes('%')) {
        address = ip.slice(0, ip.indexOf('%'));
      }
    }
    try {
      const [record, prefix] = this.current.reader.getWithPrefixLength(address);
      return { value: record === null ? null : project(record as T, formatNetwork(bytes, version, prefix)), prefix };
    } catch {
      // Checked at open, so this means damage the check could not see; a lookup never fails a request.
      return null;
    }
  }

  /** Re-reads the file; keeps the database in use and logs an error when the new file is unusable. Resolves true when it swapped. */
  reload(): Promise<boolean> {
    this.reloading = this.reloading.then(() => this.reloadNow());
    return this.reloading;
  }

  /** Stops watching the file; lookups keep using the last loaded version. */
  close(): void {
    this.closed = true;
    if (this.watching) unwatchFile(this.options.path, this.onChange);
    this.watching = false;
  }

  private async reloadNow(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const loaded = await load(this.options);
      if (this.closed) return false;
      this.current = loaded;
      const { databaseType, buildEpoch } = loaded.info;
      this.logger.log(`${this.envVar}: reloaded ${this.path} (${databaseType}, built ${buildEpoch.toISOString()})`);
      return true;
    } catch (error) {
      const { databaseType, loadedAt } = this.current.info;
      this.logger.error(
        `${error instanceof Error ? error.message : String(error)} ` +
          `Keeping the ${databaseType} database loaded at ${loadedAt.toISOString()}.`,
      );
      return false;
    }
  }

  private get envVar(): string {
    return GEOIP_KINDS[this.options.kind].envVar;
  }

  private watch(intervalMs: number): void {
    // Polling sees atomic replacement (rename over the file) as well as in-place writes, and
    // `persistent: false` keeps the watcher from holding the process open.
    watchFile(this.options.path, { interval: intervalMs, persistent: false }, this.onChange);
    this.watching = true;
    // The watcher's first look at the file is its baseline: a replacement that landed between
    // the load and that look would never count as a change, so compare once by hand.
    stat(this.options.path).then(
      (now) => this.onChange(now),
      () => undefined,
    );
  }

  private readonly onChange = (current: Stats): void => {
    if (this.closed || sameFile(current, this.current.identity)) return;
    if (current.nlink === 0 && current.mtimeMs === 0) {
      this.logger.error(
        `${this.envVar}: ${this.path} disappeared; keeping the database loaded before until it is back.`,
      );
      return;
    }
    void this.reload();
  };
}

function toHit<T>(record: T, network: string): GeoIpHit<T> {
  return { record, network };
}

async function load(options: GeoIpDatabaseOptions): Promise<Loaded> {
  const { path, kind } = options;
  const { label, accepts } = GEOIP_KINDS[kind];
  let buffer: Buffer;
  let identity: FileIdentity;
  try {
    // Size, inode and mtime come from the same open file the bytes are read from.
    const file = await open(path, 'r');
    try {
      identity = await file.stat();
      buffer = await file.readFile();
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GeoIpConfigError('GEOIP_FILE_MISSING', kind, path, 'the file does not exist');
    const reason =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String(code ?? error);
    throw new GeoIpConfigError(
      'GEOIP_FILE_UNREADABLE',
      kind,
      path,
      `the file cannot be read (${reason})`,
      'make the file readable by the server user, or point the variable at a readable .mmdb file',
    );
  }
  let metadata: MmdbMetadata;
  let reader: Reader<never>;
  try {
    metadata = await verifyMmdbInSlices(buffer);
    reader = new Reader<never>(buffer, { cache: new RecordCache(options.cacheSize ?? 10_000) });
    for (const probe of PROBES) if (metadata.ip_version === 6 || !probe.includes(':')) reader.get(probe);
  } catch (error) {
    const detail = error instanceof MmdbFormatError || error instanceof Error ? error.message : String(error);
    throw new GeoIpConfigError(
      'GEOIP_FILE_CORRUPT',
      kind,
      path,
      `it is not a valid MaxMind DB (${detail})`,
      `download the ${label} database again (e.g. with geoipupdate) and replace the file atomically (write elsewhere, then rename)`,
    );
  }
  if (!accepts.test(metadata.database_type)) {
    const other = label === 'City' ? 'GEOIP_ASN_DB' : 'GEOIP_CITY_DB';
    throw new GeoIpConfigError(
      'GEOIP_WRONG_TYPE',
      kind,
      path,
      `it is a "${metadata.database_type}" database but ${label === 'ASN' ? 'an' : 'a'} ${label} database is needed`,
      `point the variable at a GeoLite2/GeoIP2 ${label} .mmdb (did you swap it with ${other}?)`,
    );
  }
  return {
    reader,
    identity: { ino: identity.ino, size: identity.size, mtimeMs: identity.mtimeMs },
    info: {
      databaseType: metadata.database_type,
      ipVersion: metadata.ip_version,
      buildEpoch: new Date(Number(metadata.build_epoch) * 1000),
      loadedAt: new Date(),
    },
  };
}

// Keeps decoded records so hot addresses cost a tree walk only. The records are shared between
// callers, so they are frozen: a caller that mutated one would corrupt later lookups.
class RecordCache {
  private readonly entries = new Map<number | string, { value: unknown }>();

  constructor(private readonly max: number) {}

  get(key: number | string): unknown {
    return this.entries.get(key);
  }

  set(key: number | string, entry: { value: unknown }): void {
    if (this.max <= 0) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as number);
    deepFreeze(entry.value);
    this.entries.set(key, entry);
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}
