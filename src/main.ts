import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { EnvironmentError, loadEnvironment } from './config/environment';

async function bootstrap(): Promise<void> {
  // Validate before importing the app, so bad configuration exits before any connection opens.
  const env = loadEnvironment();
  const { AppModule } = await import('./app.module.js');
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(env.PORT);
  new NestLogger('Main').log({ event: 'service_started', port: env.PORT }, 'realtime-processor listening');
}

bootstrap().catch((error: unknown) => {
  const message =
    error instanceof EnvironmentError
      ? error.message
      : `startup failed: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
