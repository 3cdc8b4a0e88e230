import { REDACTED, type SecretScrubber } from '../logging/secret-scrubber';

/** Keys whose values may hold a user's text or a credential, wherever they sit in a report (as in the logs). */
const REDACTED_KEYS = new Set([
  'content',
  'body',
  'text',
  'password',
  'apikey',
  'authorization',
  'cookie',
  'x-api-key',
]);

/**
 * A report as the logs would print it: configured secrets, URL passwords and bearer tokens scrubbed
 * from every string at any depth, and the values of text- and credential-bearing keys replaced.
 */
export function scrubReport<T>(report: T, scrubber: SecretScrubber): T {
  const text = scrubber.scrubText(JSON.stringify(report));
  return JSON.parse(text, (key, value: unknown) =>
    REDACTED_KEYS.has(key.toLowerCase()) && value !== null && typeof value !== 'object' ? REDACTED : value,
  ) as T;
}
