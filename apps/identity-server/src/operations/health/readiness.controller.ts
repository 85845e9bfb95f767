import { GeoIpService, type GeoIpDatabase } from '@idp/core';
import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { MetricsService } from '../metrics/metrics.service.js';

// Longer than a healthy round trip under load, shorter than a load balancer's probe timeout.
const DATABASE_PING_TIMEOUT_MS = 2_000;

/**
 * Readiness for load balancers and orchestrators: 200 when PostgreSQL answers and the configured
 * GeoIP databases are open, 503 naming the failing part otherwise (Terminus's `error` object).
 * Liveness (`/-/health/live/`) stays a separate route that touches nothing.
 */
@Controller('-/health')
export class ReadinessController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly geoip: GeoIpService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    try {
      const result = await this.health.check([
        () => this.database.pingCheck('postgres').withTimeout(DATABASE_PING_TIMEOUT_MS),
        () => this.geoipCheck('geoip_city', this.geoip.cityDatabase),
        () => this.geoipCheck('geoip_asn', this.geoip.asnDatabase),
      ]);
      this.metrics.readiness.set(1);
      return result;
    } catch (error) {
      this.metrics.readiness.set(0);
      throw error;
    }
  }

  // An unconfigured database is not a failure: the server runs without it (no binding by it).
  private geoipCheck(key: string, database: GeoIpDatabase<unknown> | null): HealthIndicatorResult {
    const check = this.indicators.check(key);
    if (database === null) return check.up({ configured: false });
    const details = {
      path: database.path,
      type: database.info.databaseType,
      built: database.info.buildEpoch.toISOString(),
    };
    return database.isOpen ? check.up(details) : check.down({ ...details, message: 'database closed' });
  }
}
