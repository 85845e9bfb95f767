import 'reflect-metadata';
import { resolveDatabase } from '@idp/core';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createApp } from './create-app.js';

// Nest's ExceptionHandler dumps a failed start-up with its stack; main() reports every failure
// itself (config errors as a plain message), so that duplicate is dropped.
class ServerLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (rest.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...rest);
  }
}

async function main(): Promise<void> {
  const logger = new Logger('Main');
  const config = loadConfig(process.env);
  const database = await resolveDatabase(process.env);
  if (database.embedded) logger.log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${database.dataDir}`);
  let app;
  try {
    app = await createApp(
      config,
      { url: database.url },
      { logger: new ServerLogger({ logLevels: ['log', 'warn', 'error'] }) },
    );
  } catch (error) {
    await database.stop();
    throw error;
  }
  // Close the app first (requests drain, pools close), then the embedded database.
  const shutdown = async (signal: string) => {
    logger.log(`${signal} received, shutting down`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen(config.port, config.host);
  logger.log(`Identity server listening on http://${config.host}:${config.port}/`);
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
