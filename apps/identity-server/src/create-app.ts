import 'reflect-metadata';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenApiDocument } from './api/docs/api-docs.controller.js';
import { AppModule, type AppModuleExtras, type DatabaseTarget } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { requestIdFrom } from './operations/logging/request-id.js';
import { ServerLogger } from './operations/logging/server-logger.js';

export type HttpAdapterName = 'fastify' | 'express';

/** The largest request body accepted (docs/api.md); larger ones are answered 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface CreateAppOptions extends AppModuleExtras {
  /** @default 'fastify' */
  adapter?: HttpAdapterName;
  /**
   * Nest's logger while the app is built; afterwards the app logs through nestjs-pino (JSON or
   * pretty, `LOG_LEVEL`). `false` keeps Nest's own messages off for good (tests of failures).
   */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the identity server on either HTTP adapter. Both compute the client IP from the same
 * trusted-proxy CIDR list with their own machinery (Fastify `trustProxy`, Express `trust proxy`).
 */
export async function createApp(
  config: AppConfig,
  database: DatabaseTarget,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const module = AppModule.forRoot(config, database, { clock: options.clock });
  const logger = options.logger ?? ['log', 'warn', 'error'];
  let app: INestApplication;
  if (options.adapter === 'express') {
    const express = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
      logger,
      abortOnError: false,
      // Only JSON bodies, up to 1 MiB like Fastify's bodyLimit (Express would also parse forms, to 100 kB).
      bodyParser: false,
    });
    express.useBodyParser('json', { limit: MAX_BODY_BYTES });
    express.set('trust proxy', config.trustedProxyCidrs);
    app = express;
  } else {
    const adapter = new FastifyAdapter({
      trustProxy: config.trustedProxyCidrs,
      routerOptions: { ignoreTrailingSlash: true },
      bodyLimit: MAX_BODY_BYTES,
      // Also the `reqId` of the logs (pino-http takes Fastify's id).
      genReqId: requestIdFrom(config.trustedProxyCidrs),
      // At shutdown a request that already reached the server is served, not answered 503: the
      // listener is closed, so no new connection arrives, and the drain is bounded by SHUTDOWN_TIMEOUT.
      return503OnClosing: false,
    });
    app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, abortOnError: false });
  }
  if (options.logger !== false) app.useLogger(app.get(ServerLogger));
  // The OpenAPI document is generated from the application's own routes, so it needs the app.
  app.get(OpenApiDocument).attach(app);
  return app;
}
