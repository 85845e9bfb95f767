import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import type { AppConfig } from '../../config/app-config.js';
import { EVERY_ROUTE, originalUrl, routeTemplate } from '../route-template.js';
import { requestIdFrom } from './request-id.js';

/**
 * nestjs-pino's settings: one line per request with `reqId`, method, path, route, status,
 * duration (ms) and, once known, the user and session uuid. Requests are logged from fields
 * picked one by one, never from the request object, so no cookie, Authorization header, token
 * or body can reach the log.
 */
export function loggerParams(config: AppConfig): Params {
  const pretty = config.logFormat ? config.logFormat === 'pretty' : process.stdout.isTTY === true;
  const requestId = requestIdFrom(config.trustedProxyCidrs);
  return {
    forRoutes: [EVERY_ROUTE],
    // Fields assigned during a request (user, session) also land on its "request completed" line.
    assignResponse: true,
    pinoHttp: {
      level: config.logLevel,
      timestamp: stdTimeFunctions.isoTime,
      // pino-pretty is loaded only for a terminal (it runs in a worker thread of pino's).
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
            },
          }
        : {}),
      quietReqLogger: true,
      quietResLogger: true,
      customAttributeKeys: { responseTime: 'duration' },
      // Express only: on Fastify, pino-http takes the id Fastify made with the same function.
      genReqId: (request: IncomingMessage, response: ServerResponse) => {
        const id = requestId(request);
        response.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (request: IncomingMessage, response: ServerResponse, error?: Error) => {
        if (error || response.statusCode >= 500) return 'error';
        // Probes arrive every few seconds; they are worth a line only when debugging.
        return originalUrl(request).startsWith('/-/health/') ? 'debug' : 'info';
      },
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
      customSuccessObject: (request: IncomingMessage, response: ServerResponse, value: { duration?: number }) =>
        requestLine(request, response, value.duration),
      customErrorObject: (
        request: IncomingMessage,
        response: ServerResponse,
        error: Error,
        value: { duration?: number },
      ) => ({ ...requestLine(request, response, value.duration), error: error.message }),
    },
  };
}

function requestLine(request: IncomingMessage, response: ServerResponse, duration: number | undefined) {
  const url = originalUrl(request);
  const query = url.indexOf('?');
  return {
    method: request.method,
    // Without the query string: it is the client's to fill, and a careless one puts secrets there.
    path: query === -1 ? url : url.slice(0, query),
    route: routeTemplate(request),
    status: response.statusCode,
    duration,
  };
}
