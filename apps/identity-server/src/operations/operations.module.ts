import {
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ReadinessController } from './health/readiness.controller.js';
import { ServerLogger } from './logging/server-logger.js';
import { SessionLogObserver } from './logging/session-log.observer.js';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { MetricsServer } from './metrics/metrics.server.js';
import { MetricsService } from './metrics/metrics.service.js';
import { EVERY_ROUTE, recordFastifyRequestContext } from './route-template.js';

/**
 * What operators watch: readiness (`/-/health/ready/`), Prometheus metrics on their own port,
 * and the request context of the logs. The logger itself (nestjs-pino) is set up by AppModule.
 */
@Module({})
export class OperationsModule implements NestModule, OnModuleInit {
  /** `userLogin`: the app's configured UserLoginModule (its observers and hooks are counted and logged). */
  static forRoot(userLogin: DynamicModule): DynamicModule {
    return {
      module: OperationsModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), userLogin],
      controllers: [ReadinessController],
      providers: [MetricsService, MetricsServer, SessionLogObserver, HttpMetricsMiddleware, ServerLogger],
      exports: [MetricsService, MetricsServer, ServerLogger],
    };
  }

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'fastify') recordFastifyRequestContext(adapter.getInstance());
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes(EVERY_ROUTE);
  }
}
