import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/app-config.token.js';
import { requestIdFrom } from './logging/request-id.js';
import { requestLine, requestLogLevel } from './logging/request-line.js';
import { attachRequestLog, requestLogOf, type RequestLogFields } from './logging/request-log-context.js';
import { ServerLogger } from './logging/server-logger.js';
import { MetricsService } from './metrics/metrics.service.js';
import { rememberRouteTemplate, routeTemplate } from './route-template.js';

/**
 * Watches every request, matched or not (404s and refusals of the browser rules too): gives it
 * the log fields its lines carry (request-log-context.ts), and when answered its one request line and
 * its `http_request_duration_seconds` observation. The request line is built only when its
 * level is enabled, so with request logs off a request costs a metric and no logger.
 *
 * createApp attaches it before anything else of the app sees a request: as Fastify hooks
 * (observeFastifyRequests: cheaper than Nest middleware, which runs through middie) or as the
 * first Express middleware.
 */
@Injectable()
export class RequestObserver {
  private readonly requestId: (request: IncomingMessage) => string;

  constructor(
    private readonly metrics: MetricsService,
    private readonly logger: ServerLogger,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.requestId = requestIdFrom(config.trustedProxyCidrs);
  }

  /** Express: a middleware to mount before any other; it also gives the request its id. */
  expressMiddleware(): (
    request: IncomingMessage & { id?: string },
    response: ServerResponse,
    next: () => void,
  ) => void {
    return (request, response, next) => {
      const start = performance.now();
      const id = this.requestId(request);
      request.id = id;
      response.setHeader('X-Request-Id', id);
      const log = { reqId: id };
      attachRequestLog(request, log);
      let done = false;
      const answered = (): void => {
        if (done) return;
        done = true;
        this.answered(log, request, response.statusCode, performance.now() - start);
      };
      // `close` alone when the client went away before the answer was complete.
      response.once('finish', answered);
      response.once('close', answered);
      next();
    };
  }

  /** One answered request: its metric and, if its level is on, its line. */
  answered(log: RequestLogFields, request: IncomingMessage, status: number, durationMs: number): void {
    this.metrics.observeHttp(request.method ?? 'UNKNOWN', routeTemplate(request), status, durationMs / 1000);
    const level = requestLogLevel(request, status);
    if (!this.logger.pino.isLevelEnabled(level)) return;
    this.logger.pino[level](
      requestLine(log, request, status, durationMs),
      status >= 500 ? 'request failed' : 'request completed',
    );
  }
}

interface FastifyRequestLike {
  id: string;
  raw: IncomingMessage;
  routeOptions: { url?: string };
}

interface FastifyReplyLike {
  raw: ServerResponse;
  statusCode: number;
  elapsedTime: number;
}

type Hook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void;

/** What RequestObserver needs of a Fastify instance. */
export interface FastifyLike {
  addHook(name: 'onRequest' | 'onResponse', hook: Hook): unknown;
}

/**
 * Fastify's side of RequestObserver, as hooks added before Nest registers middie (during
 * `NestFactory.create`), so they run ahead of every Nest middleware; the observer, built by Nest,
 * is handed over afterwards. The request id is Fastify's own (createApp gives it requestIdFrom).
 */
export function observeFastifyRequests(fastify: FastifyLike): { observeWith(observer: RequestObserver): void } {
  let observer: RequestObserver | undefined;
  fastify.addHook('onRequest', (request, reply, done) => {
    const template = request.routeOptions.url;
    if (template) rememberRouteTemplate(request.raw, template);
    reply.raw.setHeader('X-Request-Id', request.id);
    attachRequestLog(request, { reqId: request.id });
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    observer?.answered(
      requestLogOf(request) ?? { reqId: request.id },
      request.raw,
      reply.statusCode,
      reply.elapsedTime,
    );
    done();
  });
  return {
    observeWith(value) {
      observer = value;
    },
  };
}
