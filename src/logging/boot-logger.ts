import type { LoggerService } from '@nestjs/common';
import { SecretScrubber } from './secret-scrubber';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The logger Nest uses before the app's pino logger is in place, and for a boot that fails before
 * it ever is (a wrong database password, a migration error): one JSON line per record, in the
 * shape of the pino lines that follow, scrubbed of the configured secrets. Without it such a boot
 * printed Nest's coloured text, which log routers cannot parse.
 */
export class BootLogger implements LoggerService {
  private readonly scrubber: SecretScrubber;

  constructor(
    secrets: (string | undefined)[],
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.scrubber = new SecretScrubber(secrets);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.record('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.record('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.record('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.record('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.record('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.record('fatal', message, rest);
  }

  /** A record of this process's own, e.g. the reason a boot failed. */
  record(level: Level, message: unknown, rest: unknown[] = [], fields: Record<string, unknown> = {}): void {
    // Nest passes (message, context) or (message, stack, context), and this service's own records
    // are (fields, text, context): the last string is the context.
    const strings = rest.filter((item): item is string => typeof item === 'string');
    const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
    const second = strings.length > 1 ? strings[0] : undefined;
    const isFields = typeof message === 'object' && message !== null && !(message instanceof Error);
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : second;
    const body = {
      level,
      timestamp: new Date().toISOString(),
      service: 'realtime-processor',
      ...(context ? { context } : {}),
      ...fields,
      ...(isFields ? (message as Record<string, unknown>) : {}),
      ...(text === undefined ? {} : { message: text }),
      ...(!isFields && second ? { stack: second } : {}),
    };
    this.write(`${this.scrubber.scrubText(JSON.stringify(body))}\n`);
  }
}
