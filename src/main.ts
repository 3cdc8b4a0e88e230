import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { EnvironmentError, loadEnvironment } from './config/environment';
import { SecretScrubber } from './logging/secret-scrubber';

/** Configured secrets, once known: scrubbed from a startup error written outside the logger. */
let secrets: (string | undefined)[] = [];

async function bootstrap(): Promise<void> {
  // ConfigModule reads ./.env too; load it first so this preflight (and the port) sees the same
  // values. Variables already in the environment win, as they do in ConfigModule.
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Validate before importing the app, so bad configuration exits before any connection opens.
  const env = loadEnvironment();
  secrets = [env.ANTHROPIC_API_KEY, env.SUPABASE_SERVICE_ROLE_KEY, env.SENTRY_DSN];
  const { AppModule } = await import('./app.module.js');
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // useProcessExit: exit 0 once the hooks have run (the default re-raises the signal, so the
  // process died of SIGTERM), and pino flushes on 'exit'.
  app.enableShutdownHooks([], { useProcessExit: true });
  await app.listen(env.PORT);
  new NestLogger('Main').log({ event: 'service_started', port: env.PORT }, 'realtime-processor listening');
}

bootstrap().catch((error: unknown) => {
  const message =
    error instanceof EnvironmentError
      ? error.message
      : `startup failed: ${error instanceof Error ? error.message : String(error)}`;
  // This bypasses the logger's redaction: a driver error may quote a connection URL or a key.
  process.stderr.write(`${new SecretScrubber(secrets).scrubText(message)}\n`);
  process.exit(1);
});
