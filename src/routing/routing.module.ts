import { Module } from '@nestjs/common';
import { ProcessingStats } from './processing-stats';

@Module({
  providers: [ProcessingStats],
  exports: [ProcessingStats],
})
export class RoutingModule {}
