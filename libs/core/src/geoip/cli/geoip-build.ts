// `npm run geoip:build -- <networks.json> <out.mmdb>`: builds a MaxMind DB from a JSON list of
// networks, e.g. a GeoLite2-ASN-shaped file for private ranges. Format: docs/geoip.md.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { MmdbDataEncoder, MmdbTyped, MmdbType, type MmdbTypeName, type MmdbValue } from '../mmdb-data-encoder.js';
import { MmdbWriter } from '../mmdb-writer.js';

const USAGE = 'usage: geoip-build <networks.json> <out.mmdb>   (format: docs/geoip.md)';

/** Bad input: reported as a message and exit code 2, never as a stack trace. */
export class GeoIpBuildInputError extends Error {
  override name = 'GeoIpBuildInputError';
}

/** The result of a build: the database bytes and a one-line summary. */
export interface GeoIpBuildResult {
  buffer: Buffer;
  networks: number;
  summary: string;
}

/** Builds a database from parsed networks.json content. @throws GeoIpBuildInputError naming the bad field. */
export function buildFromJson(input: unknown): GeoIpBuildResult {
  if (!isPlainObject(input))
    fail('networks.json', 'expected an object with "database_type", "ip_version" and "networks"');
  const spec = input as Record<string, unknown>;
  const known = new Set(['database_type', 'ip_version', 'description', 'languages', 'networks']);
  for (const key of Object.keys(spec))
    if (!known.has(key)) fail(key, `unknown key (allowed: ${[...known].join(', ')})`);
  const { database_type: databaseType, ip_version: ipVersion, description, languages, networks } = spec;
  if (typeof databaseType !== 'string' || databaseType.trim() === '') {
    fail('database_type', 'expected a non-empty string such as "GeoLite2-ASN" or "GeoLite2-City"');
  }
  if (ipVersion !== 4 && ipVersion !== 6) fail('ip_version', 'expected 4 or 6');
  if (description !== undefined && typeof description !== 'string') fail('description', 'expected a string');
  if (languages !== undefined && !(Array.isArray(languages) && languages.every((l) => typeof l === 'string'))) {
    fail('languages', 'expected an array of language codes such as ["en", "de"]');
  }
  if (!Array.isArray(networks)) fail('networks', 'expected an array of { "network": "10.8.0.0/16", "record": {...} }');
  const writer = new MmdbWriter({
    databaseType: databaseType as string,
    ipVersion: ipVersion as 4 | 6,
    description: description as string | undefined,
    languages: languages as string[] | undefined,
  });
  (networks as unknown[]).forEach((entry, i) => {
    const where = `networks[${i}]`;
    if (!isPlainObject(entry)) return fail(where, 'expected { "network": "<cidr>", "record": {...} }');
    const { network, record, ...rest } = entry as Record<string, unknown>;
    if (Object.keys(rest).length > 0) fail(where, `unknown key "${Object.keys(rest)[0]}" (allowed: network, record)`);
    if (typeof network !== 'string') fail(`${where}.network`, 'expected a CIDR string such as "10.8.0.0/16"');
    if (!isPlainObject(record)) fail(`${where}.record`, 'expected an object');
    const value = toMmdbValue(record, `${where}.record`);
    try {
      // Encoding once here names the network whose record has a value out of range.
      new MmdbDataEncoder(undefined, false).store(value);
    } catch (error) {
      fail(`${where}.record`, (error as Error).message);
    }
    try {
      writer.insert(network as string, value);
    } catch (error) {
      fail(`${where}.network`, (error as Error).message);
    }
  });
  let buffer: Buffer;
  try {
    buffer = writer.toBuffer();
  } catch (error) {
    return fail('networks', (error as Error).message);
  }
  const count = (networks as unknown[]).length;
  return {
    buffer,
    networks: count,
    summary: `${databaseType}, IPv${ipVersion}, ${count} networks, ${buffer.length} bytes`,
  };
}

function fail(where: string, problem: string): never {
  throw new GeoIpBuildInputError(`${where}: ${problem}`);
}

// `{"$type": "uint16", "value": 5}` pins a type; uint64/uint128 values may be decimal strings.
function toMmdbValue(value: unknown, where: string): MmdbValue {
  if (value === null) return fail(where, 'null cannot be stored in a MaxMind DB; leave the key out');
  if (Array.isArray(value)) return value.map((item, i) => toMmdbValue(item, `${where}[${i}]`));
  if (!isPlainObject(value)) return value as MmdbValue;
  const object = value as Record<string, unknown>;
  if ('$type' in object) {
    const type = object.$type as MmdbTypeName;
    if (typeof type !== 'string' || !(type in MmdbType) || type === 'map' || type === 'array' || type === 'bytes') {
      fail(
        where,
        `unknown $type ${JSON.stringify(object.$type)} (use double, float, uint16, uint32, int32, uint64, uint128, boolean, utf8)`,
      );
    }
    let raw = object.value;
    if ((type === 'uint64' || type === 'uint128') && typeof raw === 'string' && /^\d+$/.test(raw)) raw = BigInt(raw);
    return new MmdbTyped(type, raw);
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toMmdbValue(v, `${where}.${k}`)]));
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where the CLI writes its summary and its errors. */
export interface OutputStream {
  write(text: string): unknown;
}

/** Runs the CLI and returns its exit code: 0 done, 2 bad usage or input, 1 anything else. */
export function main(args: string[], out: OutputStream = process.stdout, err: OutputStream = process.stderr): number {
  try {
    if (args.length !== 2 || args.some((a) => a === '-h' || a === '--help')) {
      err.write(`${USAGE}\n`);
      return args.some((a) => a === '-h' || a === '--help') ? 0 : 2;
    }
    const [inputPath, outputPath] = args;
    let text: string;
    try {
      text = readFileSync(inputPath, 'utf8');
    } catch (error) {
      throw new GeoIpBuildInputError(`cannot read ${inputPath}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new GeoIpBuildInputError(`${inputPath} is not valid JSON: ${(error as Error).message}`);
    }
    const result = buildFromJson(json);
    // Written beside the target and renamed over it, so a server watching the file never reads half of it.
    const temporary = `${outputPath}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, result.buffer);
      renameSync(temporary, outputPath);
    } catch (error) {
      throw new GeoIpBuildInputError(`cannot write ${outputPath}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    out.write(`wrote ${outputPath}: ${result.summary}\n`);
    return 0;
  } catch (error) {
    const input = error instanceof GeoIpBuildInputError;
    err.write(`geoip-build: ${input ? '' : 'internal error: '}${(error as Error).message ?? String(error)}\n`);
    return input ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
