/**
 * Validation of notification payloads at the boundary: anything malformed is rejected with a
 * reason, never thrown. The row itself is re-read from the table, so only ids matter here.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface MessageWakeUp {
  messageId: string;
  userId: string | null;
}
export interface EventWakeUp {
  eventId: string;
  eventType: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** Accepts a JSON string (NOTIFY payload) or an object (Realtime record). */
function toRecord(input: unknown): Parsed<Record<string, unknown>> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return { ok: false, reason: 'payload is not valid JSON' };
    }
  }
  return isRecord(value) ? { ok: true, value } : { ok: false, reason: 'payload is not an object' };
}

export function parseMessageWakeUp(input: unknown): Parsed<MessageWakeUp> {
  const record = toRecord(input);
  if (!record.ok) return record;
  const { id, user_id: userId } = record.value;
  if (!isUuid(id)) return { ok: false, reason: 'message id is missing or not a uuid' };
  if (userId !== undefined && userId !== null && !isUuid(userId)) {
    return { ok: false, reason: 'user_id is not a uuid' };
  }
  return { ok: true, value: { messageId: id, userId: userId ?? null } };
}

export function parseEventWakeUp(input: unknown): Parsed<EventWakeUp> {
  const record = toRecord(input);
  if (!record.ok) return record;
  const { id, event_type: eventType } = record.value;
  if (!isUuid(id)) return { ok: false, reason: 'event id is missing or not a uuid' };
  return { ok: true, value: { eventId: id, eventType: typeof eventType === 'string' ? eventType : null } };
}

/**
 * A Realtime `postgres_changes` INSERT on `table`, as supabase-js hands it to `.on()` callbacks
 * (`{ schema, table, eventType, new, errors, ... }`): its `new` record.
 */
function insertedRecord(input: unknown, table: string): Parsed<Record<string, unknown>> {
  if (!isRecord(input)) return { ok: false, reason: 'change is not an object' };
  if (input.eventType !== 'INSERT')
    return { ok: false, reason: `change is not an INSERT (${String(input.eventType)})` };
  if (input.schema !== 'public' || input.table !== table) {
    return { ok: false, reason: `change is for ${String(input.schema)}.${String(input.table)}, not public.${table}` };
  }
  return isRecord(input.new) ? { ok: true, value: input.new } : { ok: false, reason: 'change has no new record' };
}

/** An inserted `messages` row; outbound rows are rejected even if the server-side filter let them through. */
export function parseMessageChange(input: unknown): Parsed<MessageWakeUp> {
  const record = insertedRecord(input, 'messages');
  if (!record.ok) return record;
  if (record.value.direction !== 'inbound') return { ok: false, reason: 'message is not inbound' };
  return parseMessageWakeUp(record.value);
}

export function parseEventChange(input: unknown): Parsed<EventWakeUp> {
  const record = insertedRecord(input, 'events');
  return record.ok ? parseEventWakeUp(record.value) : record;
}
