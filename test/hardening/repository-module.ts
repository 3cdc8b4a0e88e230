import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { ActionApplier } from '../../src/agents/action-applier';
import { AgentContextRepository } from '../../src/agents/context/agent-context.repository';
import { validateEnvironment } from '../../src/config/environment';
import { DatabaseModule } from '../../src/database/database.module';
import { StoredTextScrubber } from '../../src/logging/stored-text.scrubber';
import { ClaimRepository } from '../../src/routing/claim.repository';
import { EventRepository } from '../../src/routing/event.repository';
import { OutcomeWriter } from '../../src/routing/outcome.writer';
import { TurnRepository } from '../../src/routing/turn.repository';

/** The engine's repositories on a real database, without the engine running, so each step can be observed. */
export function repositoryModule(databaseUrl: string, env: Record<string, string> = {}): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({
        isGlobal: true,
        ignoreEnvFile: true,
        validate: () => validateEnvironment({ DATABASE_URL: databaseUrl, NODE_ENV: 'test', ...env }),
      }),
      DatabaseModule,
    ],
    providers: [
      StoredTextScrubber,
      ClaimRepository,
      OutcomeWriter,
      ActionApplier,
      TurnRepository,
      EventRepository,
      AgentContextRepository,
    ],
  }).compile();
}
