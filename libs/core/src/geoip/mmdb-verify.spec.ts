import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxmindTestData } from '../../../../test/fixtures/geoip-fixtures.js';
import { MmdbFormatError, verifyMmdb, verifyMmdbInSlices } from './mmdb-verify.js';
import { MmdbWriter } from './mmdb-writer.js';

// 15,000 /24s scattered over the IPv4 space share few tree nodes: well over 100,000 in all,
// so the check runs in at least two slices.
function largeDatabase(): Buffer {
  const writer = new MmdbWriter({ databaseType: 'Test-ASN', ipVersion: 6 });
  const seen = new Set<number>();
  for (let i = 0; seen.size < 15_000; i++) {
    const prefix = (Math.imul(i + 1, 2_654_435_761) >>> 8) & 0xffffff;
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    writer.insert(`${prefix >>> 16}.${(prefix >>> 8) & 255}.${prefix & 255}.0/24`, {
      autonomous_system_number: 64_500 + (i % 7),
    });
  }
  return writer.toBuffer();
}

describe('verifyMmdbInSlices', () => {
  const db = largeDatabase();

  it('finds what verifyMmdb finds', async () => {
    const sliced = await verifyMmdbInSlices(db);
    expect(sliced).toEqual(verifyMmdb(db));
    expect(sliced.node_count).toBeGreaterThan(100_000);
  });

  it('lets other work run while it checks a large file', async () => {
    let turns = 0;
    let done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    await verifyMmdbInSlices(db);
    done = true;
    // Each pause between slices gives the event loop (and so the spinning callback) a turn.
    expect(turns).toBeGreaterThanOrEqual(2);
  });

  it('refuses a corrupt file the same way', async () => {
    const broken = readFileSync(maxmindTestData('GeoIP2-City-Test-Broken-Double-Format.mmdb'));
    expect(() => verifyMmdb(broken)).toThrow(MmdbFormatError);
    await expect(verifyMmdbInSlices(broken)).rejects.toThrow(MmdbFormatError);
  });
});
