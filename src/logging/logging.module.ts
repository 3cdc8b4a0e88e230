import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule, type Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import type { Environment } from '../config/environment';
import { REDACTED, SecretScrubber } from './secret-scrubber';

/** Fields that may hold a user's text or a credential, wherever they sit in a log record. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.apikey',
  'req.headers["x-api-key"]',
  'content',
  '*.content',
  'body',
  '*.body',
  'text',
  '*.text',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
];

function loggerParams(config: ConfigService<Environment, true>): Params {
  const scrubber = new SecretScrubber([
    config.get('SUPABASE_SERVICE_ROLE_KEY', { infer: true }),
    config.get('ANTHROPIC_API_KEY', { infer: true }),
    config.get('SENTRY_DSN', { infer: true }),
  ]);
  const pretty = config.get('NODE_ENV', { infer: true }) === 'development' && process.stdout.isTTY;
  return {
    pinoHttp: {
      level: config.get('LOG_LEVEL', { infer: true }),
      base: { service: 'realtime-processor' },
      messageKey: 'message',
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: (record) => scrubber.scrub(record) as Record<string, unknown>,
      },
      serializers: { err: stdSerializers.err },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubber.scrubText(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, messageKey: 'message' } } : undefined,
    },
  };
}

@Module({
  imports: [LoggerModule.forRootAsync({ inject: [ConfigService], useFactory: loggerParams })],
})
export class LoggingModule {}
