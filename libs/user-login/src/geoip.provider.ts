import { GeoIpService } from '@idp/core';
import { Logger, type Provider } from '@nestjs/common';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from './user-login-options.interface.js';

/**
 * Opens the configured MaxMind databases once at start-up; a bad file stops the start with an
 * error naming the file and its variable.
 */
export const geoIpProvider: Provider = {
  provide: GeoIpService,
  inject: [USER_LOGIN_OPTIONS],
  useFactory: (options: ResolvedUserLoginOptions) => {
    const logger = new Logger('GeoIp');
    return GeoIpService.open({
      cityPath: options.geoipCityDb,
      asnPath: options.geoipAsnDb,
      cityOverlayPath: options.geoipCityDbOverlay,
      asnOverlayPath: options.geoipAsnDbOverlay,
      logger: { log: (message: string) => logger.log(message), error: (message: string) => logger.error(message) },
    });
  },
};
