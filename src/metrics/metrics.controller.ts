import { Controller, Get, Header } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Prometheus text format, for scraping or Google Cloud Managed Service for Prometheus. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly service: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.service.metrics();
  }
}
