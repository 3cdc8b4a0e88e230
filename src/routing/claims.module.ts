import { Module } from '@nestjs/common';
import { ClaimRepository } from './claim.repository';
import { EngineSettings } from './engine-settings';

/**
 * Claims in `processing_claims` and the engine settings they run on (owner, lease), shared by the
 * routing engine (turns and events) and the message dispatcher (render claims), so both use one
 * instance of each. DatabaseService and ConfigService come from their global modules.
 */
@Module({
  providers: [EngineSettings, ClaimRepository],
  exports: [EngineSettings, ClaimRepository],
})
export class ClaimsModule {}
