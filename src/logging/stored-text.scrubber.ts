import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { SecretScrubber } from './secret-scrubber';

/** The password of a connection URL (as written and decoded), to scrub it wherever it shows up. */
export function passwordsOf(url: string | undefined): string[] {
  try {
    const password = url === undefined ? '' : new URL(url).password;
    return password === '' ? [] : [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}

/** Every configured secret, for the log scrubber and the scrubber of stored error texts alike. */
export function configuredSecrets(config: ConfigService<Environment, true>): (string | undefined)[] {
  return [
    config.get('SUPABASE_SERVICE_ROLE_KEY', { infer: true }),
    config.get('ANTHROPIC_API_KEY', { infer: true }),
    config.get('SENTRY_DSN', { infer: true }),
    ...passwordsOf(config.get('DATABASE_URL', { infer: true })),
  ];
}

/** Longest error text kept in a row. */
const MAX_STORED_ERROR = 2000;

/**
 * What the log scrubber does for log lines, for text written to the database: every error text a
 * row keeps (`messages.last_error`, `events.last_error`, `event_dead_letters.error_message`,
 * `agent_actions_log.error`) goes through here, so a provider error that echoed a key is stored
 * without it.
 */
@Injectable()
export class StoredTextScrubber {
  private readonly scrubber: SecretScrubber;

  constructor(config: ConfigService<Environment, true>) {
    this.scrubber = new SecretScrubber(configuredSecrets(config));
  }

  /** The text as it may be stored: secrets removed, bounded. */
  errorText(text: string): string;
  errorText(text: string | null | undefined): string | null;
  errorText(text: string | null | undefined): string | null {
    if (text === null || text === undefined) return null;
    return this.scrubber.scrubText(text).slice(0, MAX_STORED_ERROR);
  }
}
