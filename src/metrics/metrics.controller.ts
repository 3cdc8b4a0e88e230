import { Controller, Get, Header } from '@nestjs/common';
import { ProcessingStats } from '../routing/processing-stats';

/** Prometheus text format of the engine's counters, for scraping or Cloud Monitoring sidecars. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly stats: ProcessingStats) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.stats.registry.metrics();
  }
}
