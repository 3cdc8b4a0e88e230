import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { PermanentEventError, type StoredEvent } from '../routing/event-handler';

/** Constraint texts name the field and the rule, never the value (payloads may carry user text). */
function problems(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((text) =>
      prefix && text.startsWith(error.property) ? `${prefix}${text}` : text,
    ),
    ...problems(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}

/**
 * `value` as an instance of `dto`, with every validation problem (field and rule, never a value);
 * no problems means valid.
 */
export function validated<T extends object>(dto: new () => T, value: unknown): { instance: T; problems: string[] } {
  const instance = plainToInstance(dto, value);
  const errors = validateSync(instance, { forbidUnknownValues: false });
  return { instance, problems: [...new Set(problems(errors))] };
}

/**
 * The event's payload as its DTO, or a PermanentEventError listing every problem: a payload that
 * does not match the catalogue (docs/events.md) can never succeed, so it is dead-lettered at once.
 */
export function parsePayload<T extends object>(dto: new () => T, event: StoredEvent): T {
  const { instance, problems: found } = validated(dto, event.payload);
  if (found.length > 0) throw new PermanentEventError(`invalid ${event.eventType} payload: ${found.join('; ')}`);
  return instance;
}

/** A row the payload names does not exist (or is not what the event says): never retried. */
export function missing(what: string, id: string): PermanentEventError {
  return new PermanentEventError(`${what} ${id} does not exist`);
}
