import type { Parsed } from './wake-up.parser';

/** One server frame as realtime-js routes it (phoenix `Message`). */
export interface RealtimeFrame {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isRef = (value: unknown): value is string | null => value === null || typeof value === 'string';

/**
 * Validates a protocol 2.0.0 text frame (`[join_ref, ref, topic, event, payload]`) before
 * realtime-js sees it. Its own decoder throws on anything else (a JSON object, `not json`, a
 * binary frame that is not a user broadcast), and so does its dispatch on a `postgres_changes`
 * push without `columns` or `type`; such a throw escapes the WebSocket handler and would kill the
 * process. Rejected frames are dropped with a reason; nothing this service subscribes to is lost
 * that the catch-up sweep would not find.
 */
export function decodeRealtimeFrame(raw: unknown): Parsed<RealtimeFrame> {
  if (typeof raw !== 'string') return { ok: false, reason: 'binary frame (no broadcast is subscribed)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return { ok: false, reason: 'frame is not a 5-element array' };
  const [joinRef, ref, topic, event, payload] = parsed as unknown[];
  if (!isRef(joinRef) || !isRef(ref)) return { ok: false, reason: 'frame refs are not strings or null' };
  if (typeof topic !== 'string' || typeof event !== 'string') {
    return { ok: false, reason: 'frame topic or event is not a string' };
  }
  if (!isRecord(payload)) return { ok: false, reason: `${event} frame payload is not an object` };
  if (event === 'postgres_changes') {
    const { ids, data } = payload;
    if (!Array.isArray(ids) || !isRecord(data) || !Array.isArray(data.columns) || typeof data.type !== 'string') {
      return { ok: false, reason: 'postgres_changes frame lacks ids, data.columns or data.type' };
    }
  }
  return { ok: true, value: { join_ref: joinRef, ref, topic, event, payload } };
}
