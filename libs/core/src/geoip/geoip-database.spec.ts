import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  asnRecord,
  cityRecord,
  maxmindTestData,
  writeAsnDb,
  writeCityDb,
} from '../../../../test/fixtures/geoip-fixtures.js';
import { GeoIpConfigError } from './geoip-config.error.js';
import { GeoIpDatabase } from './geoip-database.js';
import type { AsnRecord, CityRecord } from './geoip.types.js';
import { readMmdbMetadata } from './mmdb-verify.js';
import { MmdbWriter } from './mmdb-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'geoip-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opened: GeoIpDatabase<unknown>[] = [];
afterEach(() => opened.splice(0).forEach((db) => db.close()));

const berlin = cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin', lat: 52.52, long: 13.405 });
const paris = cityRecord({ continent: 'EU', country: 'FR', city: 'Paris', lat: 48.85, long: 2.35 });
let counter = 0;
const file = (name: string) => join(dir, `${counter++}-${name}`);

function logger() {
  return { log: vi.fn<(message: string) => void>(), error: vi.fn<(message: string) => void>() };
}

async function openCity(path: string, options: { watchIntervalMs?: number; log?: ReturnType<typeof logger> } = {}) {
  const db = await GeoIpDatabase.open<CityRecord>({
    path,
    kind: 'city',
    logger: options.log ?? logger(),
    watchIntervalMs: options.watchIntervalMs ?? 0,
  });
  opened.push(db);
  return db;
}

function good(): Buffer {
  return readFileSync(
    writeCityDb(file('good.mmdb'), [
      ['5.4.0.0/14', berlin],
      ['2001:db8::/32', paris],
    ]),
  );
}

function treeSize(buffer: Buffer): number {
  const { node_count, record_size } = readMmdbMetadata(buffer);
  return (node_count * record_size) / 4;
}

async function refusal(path: string, kind: 'city' | 'asn' = 'city'): Promise<GeoIpConfigError> {
  const error = await GeoIpDatabase.open({ path, kind, watchIntervalMs: 0 }).then(
    (db) => (db.close(), undefined),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GeoIpConfigError);
  return error as GeoIpConfigError;
}

describe('GeoIpDatabase.open', () => {
  it('opens a City database and returns the record with the matched network', async () => {
    const path = writeCityDb(file('city.mmdb'), [
      ['5.4.0.0/14', berlin],
      ['2001:db8::/32', paris],
    ]);
    const db = await openCity(path);
    expect(db.lookup('5.6.7.8')).toEqual({ record: berlin, network: '5.4.0.0/14' });
    expect(db.lookup('::ffff:5.6.7.8')).toEqual({ record: berlin, network: '5.4.0.0/14' });
    expect(db.lookup('2001:db8:1::9')).toEqual({ record: paris, network: '2001:db8::/32' });
    expect(db.lookup('fe80::1%eth0')).toBeNull();
    expect(db.lookup('9.9.9.9')).toBeNull();
    expect(db.info).toMatchObject({ databaseType: 'GeoLite2-City', ipVersion: 6 });
  });

  it('opens an IPv4-only database and answers IPv6 lookups with null', async () => {
    const path = file('v4.mmdb');
    new MmdbWriter({ databaseType: 'GeoLite2-ASN', ipVersion: 4 })
      .insert('10.0.0.0/8', asnRecord(64512, 'Lab'))
      .write(path);
    const db = await GeoIpDatabase.open<AsnRecord>({ path, kind: 'asn', watchIntervalMs: 0 });
    opened.push(db);
    expect(db.lookup('10.1.1.1')?.network).toBe('10.0.0.0/8');
    expect(db.lookup('::ffff:10.1.1.1')?.network).toBe('10.0.0.0/8');
    expect(db.lookup('2001:db8::1')).toBeNull();
  });

  it('never throws on garbage input', async () => {
    const db = await openCity(
      writeCityDb(file('city.mmdb'), [
        ['0.0.0.0/0', berlin],
        ['::/0', paris],
      ]),
    );
    const garbage = [
      '',
      'abc',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.4/24',
      ' 1.2.3.4',
      '::g',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      'x'.repeat(10_000),
      '1.2.3.4\n',
      null,
      undefined,
      42,
      {},
      [],
    ];
    for (const input of garbage) expect(db.lookup(input as string)).toBeNull();
  });

  it('refuses a missing file, naming the variable and the path', async () => {
    const path = join(dir, 'does-not-exist.mmdb');
    const error = await refusal(path);
    expect(error.code).toBe('GEOIP_FILE_MISSING');
    expect(error.message).toContain(`GEOIP_CITY_DB=${path}`);
    expect(error.message).toContain('does not exist');
    expect(error.message).toContain('Fix:');
  });

  it('refuses an unreadable path (a directory)', async () => {
    const path = file('a-directory.mmdb');
    mkdirSync(path);
    const error = await refusal(path, 'asn');
    expect(error.code).toBe('GEOIP_FILE_UNREADABLE');
    expect(error.message).toContain(`GEOIP_ASN_DB=${path}`);
  });

  it('refuses a file that is not a MaxMind DB', async () => {
    const path = file('notes.txt');
    writeFileSync(path, 'this is not a database\n'.repeat(100));
    const error = await refusal(path);
    expect(error.code).toBe('GEOIP_FILE_CORRUPT');
    expect(error.message).toContain(`GEOIP_CITY_DB=${path}`);
    expect(error.message).toContain('not a valid MaxMind DB');
  });

  describe('refuses a corrupt file made by the writer', () => {
    it.each([
      ['truncated in the data section', (b: Buffer) => b.subarray(0, treeSize(b) + 40)],
      [
        'with the data section scribbled over',
        (b: Buffer) => {
          b.fill(0xff, treeSize(b) + 16, treeSize(b) + 80);
          return b;
        },
      ],
      [
        'with the separator scribbled over',
        (b: Buffer) => {
          b[treeSize(b) + 3] = 1;
          return b;
        },
      ],
      [
        'with a search tree record pointing past the data',
        (b: Buffer) => {
          const nodeCount = readMmdbMetadata(b).node_count;
          for (let at = 0; at < treeSize(b); at += 3)
            if (b.readUIntBE(at, 3) > nodeCount) b.writeUIntBE(0xfffff0, at, 3);
          return b;
        },
      ],
      [
        'with node_count in the metadata raised',
        (b: Buffer) => {
          const at = b.lastIndexOf('node_count') + 'node_count'.length;
          b[at + 1] = 0xff; // the most significant byte of the uint32
          return b;
        },
      ],
      ['with the metadata cut off', (b: Buffer) => b.subarray(0, b.lastIndexOf('MaxMind.com') + 4)],
    ])('%s', async (_, damage) => {
      const path = file('corrupt.mmdb');
      writeFileSync(path, damage(Buffer.from(good())));
      const error = await refusal(path);
      expect(error.code).toBe('GEOIP_FILE_CORRUPT');
      expect(error.message).toContain(`GEOIP_CITY_DB=${path}`);
    });
  });

  it('refuses an ASN database given as the City database, and the other way round', async () => {
    const asnPath = writeAsnDb(file('asn.mmdb'), [['5.4.0.0/14', asnRecord(6805, 'Telefonica Germany')]]);
    const error = await refusal(asnPath, 'city');
    expect(error.code).toBe('GEOIP_WRONG_TYPE');
    expect(error.message).toContain(`GEOIP_CITY_DB=${asnPath}`);
    expect(error.message).toContain('"GeoLite2-ASN" database but a City database is needed');
    const cityPath = writeCityDb(file('city.mmdb'), [['5.4.0.0/14', berlin]]);
    expect((await refusal(cityPath, 'asn')).message).toContain(`GEOIP_ASN_DB=${cityPath}`);
  });

  it("opens MaxMind's own test databases", async () => {
    const city = await openCity(maxmindTestData('GeoLite2-City-Test.mmdb'));
    expect(city.lookup('81.2.69.142')).toMatchObject({
      network: '81.2.69.142/31',
      record: { city: { names: { en: 'London' } } },
    });
    const asn = await GeoIpDatabase.open<AsnRecord>({
      path: maxmindTestData('GeoLite2-ASN-Test.mmdb'),
      kind: 'asn',
      watchIntervalMs: 0,
    });
    opened.push(asn);
    expect(asn.lookup('1.128.0.1')).toMatchObject({
      network: '1.128.0.0/11',
      record: { autonomous_system_number: 1221 },
    });
  });

  it.each(['GeoIP2-City-Test-Broken-Double-Format.mmdb', 'GeoIP2-City-Test-Invalid-Node-Count.mmdb'])(
    "refuses MaxMind's deliberately broken %s",
    async (name) => {
      const path = maxmindTestData(name);
      const error = await refusal(path);
      expect(error.code).toBe('GEOIP_FILE_CORRUPT');
      expect(error.message).toContain(`GEOIP_CITY_DB=${path}`);
    },
  );
});

describe('GeoIpDatabase reload', () => {
  it('swaps in a replaced file', async () => {
    const path = writeCityDb(file('city.mmdb'), [['5.4.0.0/14', berlin]]);
    const log = logger();
    const db = await openCity(path, { log });
    writeCityDb(path, [['5.4.0.0/14', paris]]);
    await expect(db.reload()).resolves.toBe(true);
    expect(db.lookup('5.4.0.1')?.record).toEqual(paris);
    expect(log.log).toHaveBeenCalledWith(expect.stringContaining(`GEOIP_CITY_DB: reloaded ${path}`));
  });

  it('keeps the old reader and logs an error when the replacement is corrupt or of the wrong type', async () => {
    const path = writeCityDb(file('city.mmdb'), [['5.4.0.0/14', berlin]]);
    const log = logger();
    const db = await openCity(path, { log });
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    await expect(db.reload()).resolves.toBe(false);
    writeAsnDb(path, [['5.4.0.0/14', asnRecord(1, 'x')]]);
    await expect(db.reload()).resolves.toBe(false);
    expect(db.lookup('5.4.0.1')?.record).toEqual(berlin);
    expect(log.error).toHaveBeenCalledTimes(2);
    expect(log.error.mock.calls[0][0]).toMatch(
      new RegExp(`GEOIP_CITY_DB=${path} cannot be used: .*Keeping the GeoLite2-City database`),
    );
    expect(log.error.mock.calls[1][0]).toContain('a City database is needed');
  });

  it('notices a replaced file by itself when watching', async () => {
    const path = writeCityDb(file('watched.mmdb'), [['5.4.0.0/14', berlin]]);
    const log = logger();
    const db = await openCity(path, { log, watchIntervalMs: 10 });
    writeCityDb(path, [['5.4.0.0/14', paris]]);
    // Generous deadline: on a loaded CI machine the 10 ms polls can run late.
    await vi.waitFor(() => expect(db.lookup('5.4.0.1')?.record).toEqual(paris), { timeout: 10_000, interval: 10 });
    expect(log.log).toHaveBeenCalledTimes(1);
    db.close();
    await expect(db.reload()).resolves.toBe(false);
  }, 15_000);
});
