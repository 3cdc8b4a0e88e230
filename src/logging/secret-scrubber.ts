/**
 * Removes secrets from anything about to be logged: configured secret values wherever they
 * appear, passwords inside connection URLs, and bearer tokens. Applied to every log record.
 */
// Neither part may cross a quote or backslash: scrubText also runs on whole JSON log lines, where a
// match spanning two string values would eat the JSON between them.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@"\\]+:)([^@\s/"\\]+)@/gi;
const BEARER = /(bearer\s+)[a-z0-9._~+/=-]+/gi;
export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 6;

export class SecretScrubber {
  private readonly secrets: string[];

  constructor(secrets: (string | undefined)[]) {
    // Short values would redact ordinary words; real keys are long.
    const values = secrets.filter((value): value is string => typeof value === 'string' && value.length >= 8);
    // Also as they appear inside a JSON string, where quotes and backslashes are escaped.
    this.secrets = [...new Set(values.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]))];
  }

  scrubText(text: string): string {
    let result = text.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(BEARER, `$1${REDACTED}`);
    for (const secret of this.secrets) result = result.split(secret).join(REDACTED);
    return result;
  }

  scrub(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.scrubText(value);
    if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => this.scrub(item, depth + 1));
    if (value instanceof Error) {
      return {
        type: value.name,
        message: this.scrubText(value.message),
        stack: value.stack && this.scrubText(value.stack),
      };
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.scrub(item, depth + 1)]));
  }
}
