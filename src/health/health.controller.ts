import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { DatabaseHealthIndicator } from './database.health';
import { ModelHealth } from '../routing/model-health';
import { ProcessingStats } from '../routing/processing-stats';
import { SubscriptionsHealthIndicator } from './subscriptions.health';

const SERVICE = 'realtime-processor';

/**
 * /health is the product README's JSON for Cloud Run and people; /health/ready and
 * /health/live are the plain probes. Nothing here calls the model.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly subscriptions: SubscriptionsHealthIndicator,
    private readonly stats: ProcessingStats,
    private readonly model: ModelHealth,
  ) {}

  @Get()
  async overview(@Res() response: Response): Promise<void> {
    const result = await this.readiness();
    const healthy = result.status === 'ok' || result.status === 'degraded';
    // The model refusing our credentials is not a reason to take the instance out (its texts wait
    // and are answered once the key is fixed), but it is reported: `degraded`, with the reason.
    const model = this.model.state();
    response.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: healthy
        ? model.status === 'failing'
          ? 'degraded'
          : 'healthy'
        : result.status === 'shutting_down'
          ? 'shutting_down'
          : 'unhealthy',
      model,
      service: SERVICE,
      timestamp: new Date().toISOString(),
      uptime: Math.round(process.uptime()),
      subscriptions: this.subscriptions.states(),
      ...this.stats.snapshot(),
      checks: result.details,
    });
  }

  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const result = await this.readiness();
    const healthy = result.status === 'ok' || result.status === 'degraded';
    response.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(result);
  }

  /** Liveness touches nothing: a slow database must not get the container restarted. */
  @Get('live')
  live(): { status: 'ok'; service: string } {
    return { status: 'ok', service: SERVICE };
  }

  private async readiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check(), () => this.subscriptions.check()]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
      throw error;
    }
  }
}
