import 'reflect-metadata';
import { resolveDatabase } from '@idp/core';
import { ConsoleLogger, Logger, type INestApplication } from '@nestjs/common';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { createApp } from './create-app.js';

// Until the app is built, Nest logs through this console logger (warnings and errors only; the
// app then switches to its pino logger). Nest's ExceptionHandler would dump a failed start-up with
// its stack; main() reports every failure itself (config errors as a plain message).
class StartupLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (rest.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...rest);
  }
}

async function main(): Promise<void> {
  // Checked before anything starts (not even the embedded database): every wrong variable at once.
  const config = loadConfig(process.env);
  const database = await resolveDatabase({ DATABASE_URL: config.databaseUrl }, { dataDir: config.embeddedPostgresDir });
  let app: INestApplication;
  try {
    app = await createApp(
      config,
      { url: database.url },
      { logger: new StartupLogger({ logLevels: ['warn', 'error'] }) },
    );
  } catch (error) {
    await database.stop();
    throw error;
  }
  const logger = new Logger('Main');
  if (database.embedded) {
    logger.log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${database.dataDir}`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stop(app, config, signal, database.stop).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await app.listen(config.port, config.host);
  // The port actually bound (PORT=0 picks a free one).
  const { port } = (app.getHttpServer() as import('node:http').Server).address() as import('node:net').AddressInfo;
  logger.log(`Identity server listening on http://${config.host}:${port}/`);
}

/**
 * Graceful shutdown: the listener stops accepting and requests in flight finish (at most
 * SHUTDOWN_TIMEOUT), then the shutdown hooks run (the write-behind flush, the metrics listener
 * and the pool close), then the embedded database stops.
 */
async function stop(app: INestApplication, config: AppConfig, signal: string, stopDatabase: () => Promise<void>) {
  const logger = new Logger('Main');
  logger.log(`${signal} received: finishing requests in flight (at most ${config.shutdownTimeoutMs} ms)`);
  const server = app.getHttpServer() as import('node:http').Server;
  const deadline = setTimeout(() => {
    logger.warn('requests still in flight at the shutdown deadline: closing their connections');
    server.closeAllConnections();
  }, config.shutdownTimeoutMs);
  deadline.unref();
  try {
    // The listener is drained first, by hand: Nest runs the beforeApplicationShutdown hooks (the
    // write-behind flush among them) before it closes the listener itself, so a request that
    // finished during the drain would queue a write after the flush, and it would be lost.
    await app.getHttpAdapter().close();
    await app.close();
  } finally {
    clearTimeout(deadline);
  }
  await stopDatabase();
  logger.log('shut down');
}

main().catch((error: unknown) => {
  // Configuration problems are the operator's to fix: show the message, not a stack trace.
  const message =
    error instanceof ConfigError || ['GeoIpConfigError', 'EmbeddedPostgresError'].includes((error as Error)?.name)
      ? (error as Error).message
      : ((error as Error)?.stack ?? String(error));
  console.error(`Start-up failed: ${message}`);
  process.exit(1);
});
