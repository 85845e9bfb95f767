import type { IncomingMessage } from 'node:http';

const ROUTE_TEMPLATE = Symbol('idp.routeTemplate');

type RawRequest = IncomingMessage & {
  [ROUTE_TEMPLATE]?: string;
  /** Express: the matched route and the router's mount path. */
  route?: { path?: unknown };
  baseUrl?: string;
};

/** Fastify knows the matched route on its own request object only; middleware and logs see the raw one. */
export function rememberRouteTemplate(request: IncomingMessage, template: string): void {
  (request as RawRequest)[ROUTE_TEMPLATE] = template;
}

/**
 * The route template that served a request, for metric labels and logs (never the raw path: ids
 * in paths would make a label per user); `unmatched` when no route did (404).
 */
export function routeTemplate(request: IncomingMessage): string {
  const raw = request as RawRequest;
  const fastify = raw[ROUTE_TEMPLATE];
  if (fastify) return fastify;
  const expressPath = raw.route?.path;
  if (typeof expressPath === 'string') return `${raw.baseUrl ?? ''}${expressPath}`;
  return 'unmatched';
}

/** The request target as the client sent it (middleware on Fastify sees `url` with its mount path cut off). */
export function originalUrl(request: IncomingMessage): string {
  return (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '';
}
