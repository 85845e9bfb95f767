import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * Fastify as the example host runs it. The module's own routes end in `/` (the DBSC endpoints a
 * browser calls by itself), and Nest registers them without it: Fastify must ignore the slash.
 */
export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({ trustProxy: ['127.0.0.1'], routerOptions: { ignoreTrailingSlash: true } });
}
