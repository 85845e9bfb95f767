import 'reflect-metadata';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type AppModuleExtras, type DatabaseTarget } from './app.module.js';
import type { AppConfig } from './config/app-config.js';

export type HttpAdapterName = 'fastify' | 'express';

export interface CreateAppOptions extends AppModuleExtras {
  /** @default 'fastify' */
  adapter?: HttpAdapterName;
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
  if (options.adapter === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
      logger,
      abortOnError: false,
    });
    app.set('trust proxy', config.trustedProxyCidrs);
    return app;
  }
  const adapter = new FastifyAdapter({
    trustProxy: config.trustedProxyCidrs,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
  });
  return NestFactory.create<NestFastifyApplication>(module, adapter, { logger, abortOnError: false });
}
