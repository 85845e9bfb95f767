import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../../config/app-config.js';
import { MetricsService } from './metrics.service.js';

/**
 * Serves `GET /metrics` on a listener of its own (`METRICS_PORT` on `HOST`), so the scrape
 * endpoint is never exposed through the public port or its proxies.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;
  private readonly config: AppConfig;

  constructor(
    private readonly metrics: MetricsService,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<AppConfig>('app');
  }

  /** The port actually listened on (useful with `METRICS_PORT=0`); null when turned off. */
  get port(): number | null {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === null) return;
    const { registry } = this.metrics;
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET' || (path !== '/metrics' && path !== '/metrics/')) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
        return;
      }
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => {
          this.logger.error(`collecting metrics failed: ${String(error)}`);
          response.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
        },
      );
    });
    server.listen(this.config.metricsPort, this.config.host);
    await once(server, 'listening');
    this.server = server;
    this.logger.log(`Prometheus metrics on http://${this.config.host}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
