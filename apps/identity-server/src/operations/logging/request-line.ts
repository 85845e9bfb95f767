import type { IncomingMessage } from 'node:http';
import type { Level } from 'pino';
import { originalUrl, routeTemplate } from '../route-template.js';
import type { RequestLogFields } from './request-log-context.js';

/** The level of a request's line: failures are errors, health probes only worth a line when debugging. */
export function requestLogLevel(request: IncomingMessage, status: number): Level {
  if (status >= 500) return 'error';
  return originalUrl(request).startsWith('/-/health/') ? 'debug' : 'info';
}

/**
 * What is logged about a request: its id, user and session once known, method, path, route,
 * status and duration (ms). Fields are picked one by one, never copied from the request object,
 * so no cookie, Authorization header, token or body can reach the log.
 */
export function requestLine(
  log: RequestLogFields,
  request: IncomingMessage,
  status: number,
  durationMs: number,
): Record<string, unknown> {
  const url = originalUrl(request);
  const query = url.indexOf('?');
  return {
    ...log,
    method: request.method,
    // Without the query string: it is the client's to fill, and a careless one puts secrets there.
    path: query === -1 ? url : url.slice(0, query),
    route: routeTemplate(request),
    status,
    duration: Math.round(durationMs),
  };
}
