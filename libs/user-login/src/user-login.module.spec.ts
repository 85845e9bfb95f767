import { GeoIpService } from '@idp/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cityRecord, writeCityDb } from '../../../test/fixtures/geoip-fixtures.js';
import {
  resolveUserLoginOptions,
  USER_LOGIN_OPTIONS,
  type UserLoginModuleOptions,
} from './user-login-options.interface.js';
import { ConfigurableModuleClass } from './user-login.module-definition.js';
import { resolvedOptionsProvider, UserLoginModule } from './user-login.module.js';

@Module({})
class OptionsOnly {}

// Only the options providers of the dynamic module, so no database or GeoIP files are needed.
async function resolvedFrom(dynamic: DynamicModule) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      {
        module: OptionsOnly,
        imports: dynamic.imports,
        providers: [...(dynamic.providers ?? []), resolvedOptionsProvider],
      },
    ],
  }).compile();
  return moduleRef.get(USER_LOGIN_OPTIONS);
}

describe('UserLoginModule options', () => {
  const options: UserLoginModuleOptions = {
    cookieName: 'sid',
    cookieSecure: 'true',
    browserSessionIdleMs: 60_000,
    geoipAsnDb: '/x/asn.mmdb',
  };

  it('gives the same resolved options through forRoot and forRootAsync', async () => {
    const sync = await resolvedFrom(ConfigurableModuleClass.forRoot(options));
    const async = await resolvedFrom(ConfigurableModuleClass.forRootAsync({ useFactory: async () => options }));
    expect(async).toEqual(sync);
    expect(sync).toEqual(resolveUserLoginOptions(options));
  });

  it('fills every default in one place', () => {
    expect(resolveUserLoginOptions({})).toEqual({
      geoipCityDb: undefined,
      geoipAsnDb: undefined,
      cookieName: 'idp_session',
      cookieSecure: 'auto',
      browserSessionIdleMs: 86_400_000,
      loginPath: '/flows/-/default/authentication/',
      sessionCache: true,
      sessionCacheMaxEntries: 50_000,
      activityFlushMs: 1000,
      listenerReconnectMs: 1000,
      listenerUrl: undefined,
      dbscCookieTtlMs: 600_000,
    });
  });

  it('treats an empty database path as not configured', () => {
    expect(resolveUserLoginOptions({ geoipCityDb: '' }).geoipCityDb).toBeUndefined();
  });
});

describe('UserLoginModule shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'user-login-module-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('closes the GeoIP databases it opened: a reload after shutdown changes nothing', async () => {
    const cityPath = writeCityDb(join(dir, 'city.mmdb'), [
      ['198.51.100.0/24', cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin' })],
    ]);
    const geoip = await GeoIpService.open({ cityPath, watchIntervalMs: 0 });
    expect(await geoip.cityDatabase!.reload()).toBe(true);
    new UserLoginModule(geoip).onApplicationShutdown();
    expect(await geoip.cityDatabase!.reload()).toBe(false);
  });
});
