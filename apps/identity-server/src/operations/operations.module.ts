import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/app-config.token.js';
import { ReadinessController } from './health/readiness.controller.js';
import { LOG_DESTINATION, ServerLogger } from './logging/server-logger.js';
import { SessionLogObserver } from './logging/session-log.observer.js';
import { MetricsServer } from './metrics/metrics.server.js';
import { MetricsService } from './metrics/metrics.service.js';
import { RequestObserver } from './request-observer.js';

/**
 * What operators watch: readiness (`/-/health/ready/`), Prometheus metrics on their own port,
 * the app's logger (pino) and a line per request with the user and session once known.
 */
@Module({})
export class OperationsModule {
  /**
   * `userLogin`: the app's configured UserLoginModule (its observers and hooks are counted and
   * logged); `logDestination`: where log lines go instead of standard output (tests).
   */
  static forRoot(userLogin: DynamicModule, config: AppConfig, logDestination?: DestinationStream): DynamicModule {
    return {
      module: OperationsModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), userLogin],
      controllers: [ReadinessController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOG_DESTINATION, useValue: logDestination ?? null },
        MetricsService,
        MetricsServer,
        SessionLogObserver,
        ServerLogger,
        RequestObserver,
      ],
      exports: [MetricsService, MetricsServer, ServerLogger, RequestObserver],
    };
  }
}
