import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { createHttpAdapter } from './http-adapter.js';

// A minimal host app for @idp/user-login: `DATABASE_URL=... node dist/apps/example-host/src/main.js`.
const app = await NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter());
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
