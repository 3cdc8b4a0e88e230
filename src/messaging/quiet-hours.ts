import { localParts, zonedInstant } from './local-time';

/** 22:00–08:00 in the user's time zone unless the user set their own. */
export const DEFAULT_QUIET_START = '22:00';
export const DEFAULT_QUIET_END = '08:00';

/** `HH:MM[:SS]` (a PostgreSQL `time`) as minutes of the day, or null when unreadable. */
export function minuteOfDay(value: string | null | undefined): number | null {
  const match = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value ?? '');
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

export interface QuietHours {
  start: string | null;
  end: string | null;
  timeZone: string;
}

/**
 * When the quiet hours around `now` end, or null when `now` is outside them. The user's own
 * `quiet_hours_start/end` apply when both are readable, else 22:00–08:00; equal start and end
 * mean no quiet hours. A window may cross midnight (22:00–08:00) or not (13:00–14:00).
 */
export function quietHoursEnd(now: Date, quiet: QuietHours): Date | null {
  let start = minuteOfDay(quiet.start);
  let end = minuteOfDay(quiet.end);
  if (start === null || end === null) {
    start = minuteOfDay(DEFAULT_QUIET_START)!;
    end = minuteOfDay(DEFAULT_QUIET_END)!;
  }
  if (start === end) return null;
  const local = localParts(now, quiet.timeZone);
  const minute = local.hour * 60 + local.minute;
  const crossesMidnight = start > end;
  const inside = crossesMidnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return null;
  const endsTomorrow = crossesMidnight && minute >= start;
  return zonedInstant(local.year, local.month, local.day + (endsTomorrow ? 1 : 0), end, quiet.timeZone);
}
