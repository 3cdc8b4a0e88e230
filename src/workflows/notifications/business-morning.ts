const DEFAULT_TIME_ZONE = 'America/New_York';
const MORNING_HOUR = 9;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

function validZone(timeZone: string | null | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** The instant at which the wall clock of `timeZone` reads the given local date and hour. */
function zonedInstant(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour);
  // Two passes settle the zone's offset at that moment (DST changes in between included).
  let guess = asUtc;
  for (let pass = 0; pass < 2; pass += 1) {
    const local = localParts(new Date(guess), timeZone);
    const localAsUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
    guess = asUtc - (localAsUtc - guess);
  }
  return new Date(guess);
}

/**
 * The next weekday 9:00 in the member's time zone (an unknown zone counts as New York) strictly
 * after `now`: when a "queue for later" notification should go out.
 */
export function nextBusinessMorning(now: Date, timeZone: string | null | undefined): Date {
  const zone = validZone(timeZone);
  const today = localParts(now, zone);
  for (let offset = 0; offset < 8; offset += 1) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const candidate = zonedInstant(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      MORNING_HOUR,
      zone,
    );
    if (candidate.getTime() > now.getTime()) return candidate;
  }
  throw new Error('no business morning within a week');
}
