import { GeoIpService } from '@idp/core';
import { Logger, type FactoryProvider } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from '../../../test/fixtures/geoip-fixtures.js';
import { geoIpProvider } from './geoip.provider.js';
import { resolveUserLoginOptions } from './user-login-options.interface.js';

const dir = mkdtempSync(join(tmpdir(), 'geoip-provider-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const berlin = cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin' });
const paths = {
  geoipCityDb: writeCityDb(join(dir, 'city.mmdb'), [['198.51.100.0/24', berlin]]),
  geoipAsnDb: writeAsnDb(join(dir, 'asn.mmdb'), [['198.51.100.0/24', asnRecord(64500, 'Example Net')]]),
  geoipCityDbOverlay: writeCityDb(join(dir, 'office-city.mmdb'), [['10.0.0.0/8', berlin]]),
  geoipAsnDbOverlay: writeAsnDb(join(dir, 'office-asn.mmdb'), [['10.0.0.0/8', asnRecord(4_200_000_001, 'ACME')]]),
};

/** What the module's provider opens for these options. */
async function provide(options: Parameters<typeof resolveUserLoginOptions>[0]): Promise<GeoIpService> {
  return await (geoIpProvider as FactoryProvider<GeoIpService>).useFactory(resolveUserLoginOptions(options));
}

/** The messages a Nest logger method got, with the logger's context. */
function heard(method: 'log' | 'error') {
  const calls: Array<[context: unknown, message: unknown]> = [];
  vi.spyOn(Logger.prototype, method).mockImplementation(function (this: Logger, message: unknown) {
    calls.push([(this as unknown as { context?: string }).context, message]);
  });
  return calls;
}

describe('geoIpProvider', () => {
  it('opens each configured database from its option', async () => {
    const geoip = await provide(paths);
    try {
      expect(geoip.cityDatabase?.path).toBe(paths.geoipCityDb);
      expect(geoip.asnDatabase?.path).toBe(paths.geoipAsnDb);
      expect(geoip.cityOverlayDatabase?.path).toBe(paths.geoipCityDbOverlay);
      expect(geoip.asnOverlayDatabase?.path).toBe(paths.geoipAsnDbOverlay);
    } finally {
      geoip.close();
    }
  });

  it("reports reloads and unusable replacements through Nest's logger, as GeoIp", async () => {
    const cityPath = writeCityDb(join(dir, 'reloaded-city.mmdb'), [['198.51.100.0/24', berlin]]);
    const geoip = await provide({ geoipCityDb: cityPath });
    const logs = heard('log');
    const errors = heard('error');
    try {
      expect(await geoip.cityDatabase!.reload()).toBe(true);
      expect(logs).toEqual([['GeoIp', expect.stringContaining(`GEOIP_CITY_DB: reloaded ${cityPath}`)]]);
      writeFileSync(cityPath, 'not a database');
      expect(await geoip.cityDatabase!.reload()).toBe(false);
      expect(errors).toEqual([['GeoIp', expect.stringContaining('not a valid MaxMind DB')]]);
    } finally {
      geoip.close();
    }
  });
});
