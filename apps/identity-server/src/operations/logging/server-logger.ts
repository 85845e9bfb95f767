import { Injectable } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

// Nest's start-up chatter: a line per module and per route, worth reading only when debugging.
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/** The app's Nest logger: nestjs-pino, with the framework's start-up lines moved to `debug`. */
@Injectable()
export class ServerLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && BOOT_CONTEXTS.has(context)) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}
