import type { INestApplication } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

/**
 * Boots the real AppModule in this Jest process. Configuration is read from process.env when
 * AppModule is first loaded, so a test file sets its environment once, before the first boot.
 * `customise` may only replace the outside world (the model, the Realtime server) or add workload
 * such as test event handlers.
 */
export async function startTestApp(
  env: Record<string, string>,
  customise: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<INestApplication> {
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AppModule } = require('../../src/app.module') as typeof import('../../src/app.module');
  const moduleRef = await customise(Test.createTestingModule({ imports: [AppModule] })).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
