import { Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { MmdbDataEncoder, mmdb } from './mmdb-data-encoder.js';
import { readMmdbMetadata, verifyMmdb } from './mmdb-verify.js';
import { MmdbWriter, chooseRecordSize } from './mmdb-writer.js';

const read = (writer: MmdbWriter) => new Reader<Record<string, unknown>>(writer.toBuffer());
const lookup = (reader: Reader<Record<string, unknown>>, ip: string) => {
  const [record, prefix] = reader.getWithPrefixLength(ip);
  return { record, prefix };
};

describe('MmdbWriter round trip through the maxmind reader', () => {
  it('answers IPv4 lookups from an IPv4 database', () => {
    const reader = read(
      new MmdbWriter({ databaseType: 'Test-IPv4', ipVersion: 4 })
        .insert('1.2.3.0/24', { name: 'a' })
        .insert('5.4.0.0/14', { name: 'b' })
        .insert('203.0.113.7/32', { name: 'host' }),
    );
    expect(lookup(reader, '1.2.3.200')).toEqual({ record: { name: 'a' }, prefix: 24 });
    expect(lookup(reader, '5.7.255.1')).toEqual({ record: { name: 'b' }, prefix: 14 });
    expect(lookup(reader, '203.0.113.7').record).toEqual({ name: 'host' });
    expect(lookup(reader, '203.0.113.8').record).toBeNull();
    expect(reader.metadata.ipVersion).toBe(4);
  });

  it('stores IPv4 under ::/96 of an IPv6 database and aliases ::ffff:0:0/96 and 2002::/16 to it', () => {
    const reader = read(
      new MmdbWriter({ databaseType: 'Test-IPv6', ipVersion: 6 })
        .insert('10.0.0.0/8', { net: 'ten' })
        .insert('2001:db8::/32', { net: 'doc' })
        .insert('::ffff:192.0.2.0/120', { net: 'mapped-insert' }),
    );
    expect(lookup(reader, '10.9.8.7')).toEqual({ record: { net: 'ten' }, prefix: 8 });
    expect(lookup(reader, '::10.9.8.7')).toEqual({ record: { net: 'ten' }, prefix: 104 });
    expect(lookup(reader, '::ffff:10.9.8.7').record).toEqual({ net: 'ten' });
    expect(lookup(reader, '2002:0a09:0807::1').record).toEqual({ net: 'ten' });
    expect(lookup(reader, '192.0.2.77').record).toEqual({ net: 'mapped-insert' });
    expect(lookup(reader, '2001:db8:ffff::1')).toEqual({ record: { net: 'doc' }, prefix: 32 });
    expect(lookup(reader, '2001:db9::1').record).toBeNull();
    expect(lookup(reader, '11.0.0.1').record).toBeNull();
  });

  it.each([
    ['broad first', ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']],
    ['specific first', ['10.1.2.0/24', '10.1.0.0/16', '10.0.0.0/8']],
    ['mixed', ['10.1.0.0/16', '10.0.0.0/8', '10.1.2.0/24']],
  ])('lets the most specific network win whatever the insert order (%s)', (_, order) => {
    const writer = new MmdbWriter({ databaseType: 'Nested', ipVersion: 6 });
    for (const cidr of order) writer.insert(cidr, { cidr });
    const reader = read(writer);
    expect(lookup(reader, '10.1.2.3')).toEqual({ record: { cidr: '10.1.2.0/24' }, prefix: 24 });
    expect(lookup(reader, '10.1.9.9').record).toEqual({ cidr: '10.1.0.0/16' });
    expect(lookup(reader, '10.200.0.1').record).toEqual({ cidr: '10.0.0.0/8' });
  });

  it('lets a later insert of the same network replace the earlier record', () => {
    const reader = read(
      new MmdbWriter({ databaseType: 'Twice', ipVersion: 4 })
        .insert('10.0.0.0/8', { v: 1 })
        .insert('10.1.0.0/16', { v: 'inner' })
        .insert('10.0.0.0/8', { v: 2 }),
    );
    expect(lookup(reader, '10.2.0.1').record).toEqual({ v: 2 });
    expect(lookup(reader, '10.1.0.1').record).toEqual({ v: 'inner' });
  });

  it('covers the whole address space with /0 networks', () => {
    const reader = read(new MmdbWriter({ databaseType: 'All', ipVersion: 6 }).insert('::/0', { all: true }));
    expect(lookup(reader, '8.8.8.8').record).toEqual({ all: true });
    expect(lookup(reader, 'ffff::1').record).toEqual({ all: true });
  });

  it('stores every data type the reader knows', () => {
    const record = {
      utf8: 'Zürich – 東京',
      empty: '',
      long: 'x'.repeat(300),
      huge: 'y'.repeat(70_000),
      double: 51.2993,
      negativeDouble: -0.0931,
      float: mmdb.float(1.5),
      uint16: mmdb.uint16(65_535),
      uint32: 4_294_967_295,
      zero: 0,
      int32: -2_147_483_648,
      smallInt32: mmdb.int32(7),
      uint64: 18_446_744_073_709_551_615n,
      uint128: mmdb.uint128(2n ** 127n + 5n),
      yes: true,
      no: false,
      bytes: Buffer.from([0, 1, 254, 255]),
      array: [1, 'two', { three: 3 }, [4.5]],
      emptyArray: [],
      map: { nested: { deeper: { deepest: 'ok' } } },
      emptyMap: {},
    };
    const reader = read(new MmdbWriter({ databaseType: 'Types', ipVersion: 6 }).insert('2001:db8::/32', record));
    const found = reader.get('2001:db8::1') as Record<string, unknown>;
    expect(found).toEqual({
      ...record,
      float: 1.5,
      uint16: 65_535,
      smallInt32: 7,
      uint128: 2n ** 127n + 5n,
      bytes: Buffer.from([0, 1, 254, 255]),
    });
  });

  it('writes well-known MaxMind keys with MaxMind types (latitude 52 stays a double)', () => {
    const encoder = new MmdbDataEncoder();
    encoder.store({ latitude: 52, accuracy_radius: 5 });
    const bytes = encoder.toBuffer();
    // map(2), "latitude", double(8 bytes) ..., "accuracy_radius", uint16 of one byte
    expect(bytes[0]).toBe(0xe2);
    expect(bytes[1 + 1 + 'latitude'.length]).toBe(0x68);
    expect(bytes.at(-2)).toBe(0xa1);
  });

  it('points repeated values at their first copy and still reads them back', () => {
    const shared = { names: { en: 'Germany', de: 'Deutschland' }, geoname_id: 2921044 };
    const build = (dedup: boolean) => {
      const writer = new MmdbWriter({ databaseType: 'Dedup', ipVersion: 4, dedup });
      for (let i = 0; i < 500; i++) writer.insert(`10.0.${i >> 8}.${i & 255}/32`, { country: shared, id: i });
      return writer.toBuffer();
    };
    const small = build(true);
    expect(small.length).toBeLessThan(build(false).length / 2);
    const reader = new Reader<Record<string, unknown>>(small);
    expect(reader.get('10.0.1.243')).toEqual({ country: shared, id: 499 });
    expect(verifyMmdb(small).node_count).toBeGreaterThan(0);
  });

  it('writes the metadata fields of the spec', () => {
    const buffer = new MmdbWriter({
      databaseType: 'GeoLite2-ASN',
      ipVersion: 6,
      description: 'ASN fixture',
      languages: ['en', 'de'],
      buildEpoch: 1_700_000_000,
    })
      .insert('5.4.0.0/14', { autonomous_system_number: 6805 })
      .toBuffer();
    const raw = readMmdbMetadata(buffer);
    expect(raw).toEqual({
      binary_format_major_version: 2,
      binary_format_minor_version: 0,
      build_epoch: 1_700_000_000n,
      database_type: 'GeoLite2-ASN',
      description: { en: 'ASN fixture' },
      ip_version: 6,
      languages: ['en', 'de'],
      node_count: expect.any(Number),
      record_size: 24,
    });
    const metadata = new Reader(buffer).metadata;
    expect(metadata.buildEpoch.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(metadata.nodeCount).toBe(raw.node_count);
    // Search tree, then the 16 zero bytes of the separator.
    const treeSize = (raw.node_count * 24) / 4;
    expect([...buffer.subarray(treeSize, treeSize + 16)]).toEqual(Array.from({ length: 16 }, () => 0));
  });

  it('refuses bad networks with a message naming them', () => {
    const writer = new MmdbWriter({ databaseType: 'Bad', ipVersion: 4 });
    expect(() => writer.insert('2001:db8::/32', {})).toThrow('IPv6 but the database is IPv4-only');
    expect(() => writer.insert('10.0.0.1/8', {})).toThrow('host bits set');
    const v6 = new MmdbWriter({ databaseType: 'Bad', ipVersion: 6 });
    expect(() => v6.insert('2002:a00::/24', {})).toThrow('6to4');
    expect(() => v6.insert('10.0.0.0/8', { bad: null } as never).toBuffer()).toThrow('cannot store null');
  });
});

describe('record size', () => {
  it('picks the smallest size that holds the largest record value', () => {
    expect(chooseRecordSize(2 ** 24 - 1)).toBe(24);
    expect(chooseRecordSize(2 ** 24)).toBe(28);
    expect(chooseRecordSize(2 ** 28 - 1)).toBe(28);
    expect(chooseRecordSize(2 ** 28)).toBe(32);
    expect(chooseRecordSize(100, 32)).toBe(32);
    expect(() => chooseRecordSize(2 ** 32)).toThrow('too large');
  });

  it('uses 24 bits for a small tree', () => {
    const writer = new MmdbWriter({ databaseType: 'Small', ipVersion: 6 }).insert('10.0.0.0/8', { a: 1 });
    expect(new Reader(writer.toBuffer()).metadata.recordSize).toBe(24);
  });

  it('switches to 28 bits once record values pass 2^24, with long pointers still resolving', () => {
    const writer = new MmdbWriter({ databaseType: 'Large', ipVersion: 6 });
    const filler = 'f'.repeat(1000);
    const count = 17_500; // ~17.5 MB of data: record values beyond 2^24
    for (let i = 0; i < count; i++) {
      // Each pair shares a tag first stored far into the data section: 2- and 3-byte pointers.
      writer.insert(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`, {
        i,
        filler: `${i}${filler}`,
        tag: `tag-${i >> 1}`,
      });
    }
    const buffer = writer.toBuffer();
    const reader = new Reader<Record<string, unknown>>(buffer);
    expect(reader.metadata.recordSize).toBe(28);
    for (const i of [0, 1, 2_049, 8_000, count - 2, count - 1]) {
      const found = reader.get(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
      expect(found).toMatchObject({ i, tag: `tag-${i >> 1}` });
    }
    expect(verifyMmdb(buffer).record_size).toBe(28);
  });

  it.each([28, 32] as const)('writes trees the reader walks with a forced %i-bit record size', (recordSize) => {
    const writer = new MmdbWriter({ databaseType: 'Forced', ipVersion: 6, recordSize });
    for (let i = 0; i < 2_000; i++) writer.insert(`2001:db8:${i.toString(16)}::/48`, { i });
    writer.insert('192.0.2.0/24', { v4: true });
    const reader = new Reader<Record<string, unknown>>(writer.toBuffer());
    expect(reader.metadata.recordSize).toBe(recordSize);
    expect(reader.getWithPrefixLength('2001:db8:7cf::1')).toEqual([{ i: 1_999 }, 48]);
    expect(reader.get('192.0.2.1')).toEqual({ v4: true });
    expect(reader.get('2001:db8:7d0::1')).toBeNull();
  });
});
