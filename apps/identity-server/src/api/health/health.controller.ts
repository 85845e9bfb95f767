import { Controller, Get, HttpCode } from '@nestjs/common';

/** Liveness probe for load balancers and orchestrators; touches nothing. */
@Controller('-/health')
export class HealthController {
  @Get('live')
  @HttpCode(204)
  live(): void {}
}
