import 'reflect-metadata';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenApiDocument } from './api/docs/api-docs.controller.js';
import { AppModule, type AppModuleExtras, type DatabaseTarget } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { BrowserRules } from './hardening/browser-rules.js';
import type { RawRequest } from './hardening/request-origin.js';
import { trustedProxies } from './hardening/trusted-proxies.js';
import { requestIdFrom } from './operations/logging/request-id.js';
import { ServerLogger } from './operations/logging/server-logger.js';
import { observeFastifyRequests, RequestObserver } from './operations/request-observer.js';

export type HttpAdapterName = 'fastify' | 'express';

/** The largest request body accepted (docs/api.md); larger ones are answered 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface CreateAppOptions extends AppModuleExtras {
  /** @default 'fastify' */
  adapter?: HttpAdapterName;
  /**
   * Nest's logger while the app is built; afterwards the app logs through pino (JSON or
   * pretty, `LOG_LEVEL`: operations/logging/server-logger.ts). `false` keeps Nest's own messages off for good (tests of failures).
   */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the identity server on either HTTP adapter. Both compute the client IP from the same
 * trusted-proxy test (hardening/trusted-proxies.ts: Fastify `trustProxy`, Express `trust proxy`).
 */
export async function createApp(
  config: AppConfig,
  database: DatabaseTarget,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const module = AppModule.forRoot(config, database, {
    clock: options.clock,
    logDestination: options.logDestination,
  });
  const logger = options.logger ?? ['log', 'warn', 'error'];
  const browserRules = new BrowserRules(config.trustedProxyCidrs);
  let app: INestApplication;
  if (options.adapter === 'express') {
    const express = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
      logger,
      abortOnError: false,
      // Only JSON bodies, up to 1 MiB like Fastify's bodyLimit (Express would also parse forms, to 100 kB).
      bodyParser: false,
    });
    express.set('trust proxy', trustedProxies(config.trustedProxyCidrs));
    // Mounted in this order before Nest adds its middleware and routes (at init): every request
    // is observed first, and the browser rules refuse before a body is read.
    express.use(express.get(RequestObserver).expressMiddleware());
    express.use((request: RawRequest, response: ServerResponse, next: () => void) => {
      if (browserRules.check(request, response)) next();
    });
    express.useBodyParser('json', { limit: MAX_BODY_BYTES });
    app = express;
  } else {
    const adapter = new FastifyAdapter({
      trustProxy: trustedProxies(config.trustedProxyCidrs),
      routerOptions: { ignoreTrailingSlash: true },
      bodyLimit: MAX_BODY_BYTES,
      // Also the `reqId` of the logs and the `X-Request-Id` answer (operations/request-observer.ts).
      genReqId: requestIdFrom(config.trustedProxyCidrs),
      // At shutdown a request that already reached the server is served, not answered 503: the
      // listener is closed, so no new connection arrives, and the drain is bounded by SHUTDOWN_TIMEOUT.
      return503OnClosing: false,
    });
    const fastify = adapter.getInstance();
    const observed = observeFastifyRequests(fastify);
    // A refused request is answered by the rules themselves, which is where its lifecycle ends.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (browserRules.check(request.raw, reply.raw)) done();
    });
    app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, abortOnError: false });
    observed.observeWith(app.get(RequestObserver));
  }
  if (options.logger !== false) app.useLogger(app.get(ServerLogger));
  // The OpenAPI document is generated from the application's own routes, so it needs the app.
  app.get(OpenApiDocument).attach(app);
  return app;
}
