import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Environment } from '../config/environment';
import { DatabaseService } from '../database/database.service';

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  check(): PromiseLike<HealthIndicatorResult<'database'>> {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.database.query('SELECT 1');
        return { embedded: this.database.isEmbedded };
      })
      .withTimeout(this.config.get('HEALTH_DB_TIMEOUT_MS', { infer: true }));
  }
}
