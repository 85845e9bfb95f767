import type { IncomingMessage } from 'node:http';

/**
 * Middleware path for every request, matched or not (404s are counted and logged too).
 * nestjs-pino's own default, `{/*splat}`, matches nothing on Nest 12's Fastify adapter.
 */
export const EVERY_ROUTE = '{*splat}';

const ROUTE_TEMPLATE = Symbol('idp.routeTemplate');

type RawRequest = IncomingMessage & {
  [ROUTE_TEMPLATE]?: string;
  /** Express: the matched route and the router's mount path. */
  route?: { path?: unknown };
  baseUrl?: string;
};

interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (
      request: { id: string; raw: IncomingMessage; routeOptions: { url?: string } },
      reply: { raw: { setHeader(name: string, value: string): unknown } },
      done: () => void,
    ) => void,
  ): unknown;
}

/**
 * Fastify knows the matched route on its own request object only; this hook copies the route
 * template (`/api/v3/core/users/:pk/`) onto the raw request that middleware and loggers see, and
 * answers with the request id (Fastify's, made by requestIdFrom in logging/request-id.ts) in `X-Request-Id`.
 */
export function recordFastifyRequestContext(fastify: FastifyLike): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const template = request.routeOptions.url;
    if (template) (request.raw as RawRequest)[ROUTE_TEMPLATE] = template;
    reply.raw.setHeader('X-Request-Id', request.id);
    done();
  });
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
