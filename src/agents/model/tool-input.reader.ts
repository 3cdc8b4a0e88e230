import { InvalidModelOutputError } from './model.errors';

type JsonRecord = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Validates a tool call's input field by field. Wrong types or values outside an enum throw
 * InvalidModelOutputError (the output cannot be used); keys outside the schema are refused:
 * dropped and recorded, so a model talked into adding `verified` or a user id gains nothing.
 */
export class ToolInputReader {
  readonly refused: string[] = [];

  constructor(private readonly tool: string) {}

  fail(path: string, problem: string): never {
    throw new InvalidModelOutputError(`${path} ${problem}`, this.tool);
  }

  /** The object at `path`, with only `allowed` keys kept. */
  object(value: unknown, path: string, allowed: readonly string[]): JsonRecord {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'must be an object');
    const kept: JsonRecord = {};
    for (const [key, field] of Object.entries(value as JsonRecord)) {
      if (allowed.includes(key)) kept[key] = field;
      else this.refused.push(path === '' ? key : `${path}.${key}`);
    }
    return kept;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(path, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  /** A string, trimmed and cut to `maxLength`; undefined when absent, null or blank. */
  optionalString(value: unknown, path: string, maxLength = 500): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(path, 'must be a string');
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed.slice(0, maxLength);
  }

  optionalStrings(value: unknown, path: string, maxItems = 10): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      this.fail(path, 'must be an array of strings');
    }
    return (value as string[]).slice(0, maxItems);
  }

  /** A uuid, lower-cased; anything else throws (ids come from the context, never invented). */
  uuid(value: unknown, path: string): string {
    if (typeof value !== 'string' || !UUID.test(value.trim())) this.fail(path, 'must be a uuid');
    return value.trim().toLowerCase();
  }

  /** An integer within [min, max]; undefined when absent or null. */
  optionalInteger(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'must be a boolean');
    return value;
  }
}
