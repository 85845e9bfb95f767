import { Inject, Injectable, type LoggerService } from '@nestjs/common';
import { pino, stdTimeFunctions, type DestinationStream, type Level, type Logger as Pino } from 'pino';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/app-config.token.js';

// Nest's start-up chatter: a line per module and per route, worth reading only when debugging.
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

// A stack trace as Nest's exception handlers pass it: `error(message, stack)`.
const STACK = /\n\s*at /;

/** Where the app's log lines go when not to standard output (tests). */
export const LOG_DESTINATION = Symbol('idp.logDestination');

/**
 * pino for this app, at `LOG_LEVEL`: JSON lines, or readable ones in a terminal (`LOG_FORMAT`);
 * always JSON into a given destination.
 */
export function createPino(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, destination?: DestinationStream): Pino {
  const options = { level: config.logLevel, timestamp: stdTimeFunctions.isoTime };
  if (destination) return pino(options, destination);
  const pretty = config.logFormat ? config.logFormat === 'pretty' : process.stdout.isTTY === true;
  if (!pretty) return pino(options);
  // pino-pretty is loaded only for a terminal (it runs in a worker thread of pino's).
  return pino({
    ...options,
    transport: {
      target: 'pino-pretty',
      options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
    },
  });
}

/**
 * The app's Nest logger, on pino: `Logger` calls become JSON lines with their context (an object
 * message's fields go on the line as they are: that is how the request's id, user and session
 * reach it, request-log-context.ts), and Nest's start-up lines moved to `debug`. The level is
 * checked first, so a line below `LOG_LEVEL` costs nothing.
 */
@Injectable()
export class ServerLogger implements LoggerService {
  readonly pino: Pino;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(LOG_DESTINATION) destination: DestinationStream | null) {
    this.pino = createPino(config, destination ?? undefined);
  }

  log(message: unknown, ...optional: unknown[]): void {
    const context = optional.at(-1);
    this.write(typeof context === 'string' && BOOT_CONTEXTS.has(context) ? 'debug' : 'info', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  private write(level: Level, message: unknown, optional: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context last; anything between message and context is printf-style arguments.
    const line: Record<string, unknown> = {};
    let args = optional;
    if (optional.length > 0) {
      line.context = optional.at(-1);
      args = optional.slice(0, -1);
    }
    if (message instanceof Error) {
      line.err = message;
      this.pino[level](line, ...(args as []));
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level](Object.assign(line, message), ...(args as []));
    } else if (level === 'error' && args.length === 1 && typeof args[0] === 'string' && STACK.test(args[0])) {
      // Nest's exception handlers call error(message, stack): keep the stack as the error's.
      const err = new Error(String(message));
      err.stack = args[0];
      line.err = err;
      this.pino.error(line);
    } else {
      this.pino[level](line, String(message), ...(args as []));
    }
  }
}
