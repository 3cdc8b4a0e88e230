import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { EnvironmentError, loadEnvironment } from './config/environment';
import { BootLogger } from './logging/boot-logger';
import { passwordsOf } from './logging/stored-text.scrubber';

/** Configured secrets, once known: scrubbed from a startup error written outside the logger. */
let secrets: (string | undefined)[] = [];

async function bootstrap(): Promise<void> {
  // ConfigModule reads ./.env too; load it first so this preflight (and the port) sees the same
  // values. Variables already in the environment win, as they do in ConfigModule.
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Validate before importing the app, so bad configuration exits before any connection opens.
  const env = loadEnvironment();
  secrets = [env.ANTHROPIC_API_KEY, env.SUPABASE_SERVICE_ROLE_KEY, env.SENTRY_DSN, ...passwordsOf(env.DATABASE_URL)];
  const { AppModule } = await import('./app.module.js');
  // JSON from the first line: what Nest logs before pino takes over (or instead, if boot fails).
  // abortOnError off: a failed boot rejects here and is reported below as one `startup_failed` record.
  const app = await NestFactory.create(AppModule, {
    bufferLogs: true,
    logger: new BootLogger(secrets),
    abortOnError: false,
  });
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
  // One JSON line, scrubbed: a driver error may quote a connection URL or a key.
  // Exit once the line is written: a pipe write is asynchronous, and exiting first lost it.
  new BootLogger(secrets, (line) => process.stderr.write(line, () => process.exit(1))).record('fatal', message, [], {
    event: 'startup_failed',
  });
});
