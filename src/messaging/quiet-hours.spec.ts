import { localDate, nextLocalMidnight, validTimezone, zonedInstant } from './local-time';
import { minuteOfDay, quietHoursEnd } from './quiet-hours';

const at = (iso: string) => new Date(iso);

describe('quiet hours', () => {
  const newYork = { start: null, end: null, timeZone: 'America/New_York' };

  it('holds 22:00–08:00 local by default, ending on the next local morning', () => {
    expect(quietHoursEnd(at('2026-03-11T01:59:00Z'), newYork)).toBeNull(); // 21:59 EDT
    expect(quietHoursEnd(at('2026-03-11T02:00:00Z'), newYork)).toEqual(at('2026-03-11T12:00:00Z')); // 22:00 EDT
    expect(quietHoursEnd(at('2026-03-11T11:59:00Z'), newYork)).toEqual(at('2026-03-11T12:00:00Z')); // 07:59 EDT
    expect(quietHoursEnd(at('2026-03-11T12:00:00Z'), newYork)).toBeNull(); // 08:00 EDT
  });

  it('ends at 08:00 local across a DST change (New York springs forward on 2026-03-08)', () => {
    expect(quietHoursEnd(at('2026-03-08T04:00:00Z'), newYork)).toEqual(at('2026-03-08T12:00:00Z')); // 23:00 EST → 08:00 EDT
  });

  it('uses the user’s own window, crossing midnight or not; equal ends mean none', () => {
    const tokyo = { start: '13:00:00', end: '14:30:00', timeZone: 'Asia/Tokyo' };
    expect(quietHoursEnd(at('2026-03-10T04:15:00Z'), tokyo)).toEqual(at('2026-03-10T05:30:00Z')); // 13:15 JST
    expect(quietHoursEnd(at('2026-03-10T05:30:00Z'), tokyo)).toBeNull();
    expect(quietHoursEnd(at('2026-03-10T03:00:00Z'), { ...tokyo, start: '00:00', end: '00:00' })).toBeNull();
    // One end unreadable: the default window applies.
    expect(quietHoursEnd(at('2026-03-10T14:00:00Z'), { ...tokyo, end: null })).toEqual(at('2026-03-10T23:00:00Z'));
  });

  it('reads PostgreSQL times and refuses nonsense', () => {
    expect(minuteOfDay('22:00:00')).toBe(1320);
    expect(minuteOfDay('08:30')).toBe(510);
    expect(minuteOfDay('25:00')).toBeNull();
    expect(minuteOfDay('soon')).toBeNull();
  });
});

describe('local time', () => {
  it('keys the budget by the local date, not UTC', () => {
    expect(localDate(at('2026-03-10T15:30:00Z'), 'Asia/Tokyo')).toBe('2026-03-11');
    expect(localDate(at('2026-03-10T03:30:00Z'), 'America/Los_Angeles')).toBe('2026-03-09');
  });

  it('finds the next local midnight, and wall times across month ends', () => {
    expect(nextLocalMidnight(at('2026-03-10T12:00:00Z'), 'Asia/Tokyo')).toEqual(at('2026-03-10T15:00:00Z'));
    expect(nextLocalMidnight(at('2026-03-31T20:00:00Z'), 'America/New_York')).toEqual(at('2026-04-01T04:00:00Z'));
    expect(zonedInstant(2026, 1, 32, 8 * 60, 'Europe/London')).toEqual(at('2026-02-01T08:00:00Z'));
  });

  it('falls back to New York for a missing or unknown zone', () => {
    expect(validTimezone(null)).toBe('America/New_York');
    expect(validTimezone('Not/AZone')).toBe('America/New_York');
    expect(validTimezone('Europe/Paris')).toBe('Europe/Paris');
  });
});
