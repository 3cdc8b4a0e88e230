import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule, type Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import type { Environment } from '../config/environment';
import { REDACTED, SecretScrubber } from './secret-scrubber';
import { configuredSecrets } from './stored-text.scrubber';

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
  const scrubber = new SecretScrubber(configuredSecrets(config));
  const pretty = config.get('NODE_ENV', { infer: true }) === 'development' && process.stdout.isTTY;
  return {
    pinoHttp: {
      level: config.get('LOG_LEVEL', { infer: true }),
      base: { service: 'realtime-processor' },
      messageKey: 'message',
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
      },
      serializers: { err: stdSerializers.err },
      hooks: {
        // Scrub the finished line, after serializers and redaction: whatever path a secret took
        // into the record (a request URL, an error message), it is gone before it is written.
        // (A formatters.log hook runs before the serializers: it saw the raw req/res objects, left
        // the serialized URL and query unscrubbed, and its copy broke res.statusCode.)
        streamWrite: (line) => scrubber.scrubText(line),
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
