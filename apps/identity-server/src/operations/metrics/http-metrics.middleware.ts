import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeTemplate } from '../route-template.js';
import { MetricsService } from './metrics.service.js';

/** Observes every answered request in `http_request_duration_seconds`, on both HTTP adapters. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const start = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.metrics.httpDuration.observe(
        { method: request.method ?? 'UNKNOWN', route: routeTemplate(request), status: String(response.statusCode) },
        seconds,
      );
    });
    next();
  }
}
