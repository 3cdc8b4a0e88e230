import { REDACTED } from './secret-scrubber';

/** Keys whose values may hold a user's text or a credential, at any depth of a log record. */
export const SENSITIVE_KEYS = new Set(['content', 'body', 'text', 'texts', 'password', 'apiKey', 'token', 'secret']);
const MAX_DEPTH = 8;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

/**
 * A copy of a log record's plain data with every sensitive key redacted, however deep (pino's own
 * `redact` paths reach a fixed depth only). Anything that is not plain data (a request, an Error)
 * is left as it is for the serializers.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SENSITIVE_KEYS.has(key) && item !== null && item !== undefined ? REDACTED : redactDeep(item, depth + 1),
    ]),
  );
}

/** A URL with every query value redacted (`/x?token=abc&a=1` → `/x?token=[REDACTED]&a=[REDACTED]`). */
export function redactQuery(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0 ? pair : `${pair.slice(0, equals)}=${REDACTED}`;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}
