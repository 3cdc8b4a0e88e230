import { nextBusinessMorning } from './business-morning';

describe('nextBusinessMorning', () => {
  it('is 9:00 the same day in the member zone when it is still early there', () => {
    // Tuesday 2026-12-01 11:00 UTC = 06:00 in New York.
    expect(nextBusinessMorning(new Date('2026-12-01T11:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-12-01T14:00:00.000Z',
    );
  });

  it('is the next day once 9:00 has passed', () => {
    expect(nextBusinessMorning(new Date('2026-12-01T15:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-12-02T14:00:00.000Z',
    );
  });

  it('skips the weekend, and follows the zone of the member', () => {
    // Friday 2026-12-04 20:00 UTC = Saturday 05:00 in Tokyo → Monday 09:00 Tokyo = 00:00 UTC.
    expect(nextBusinessMorning(new Date('2026-12-04T20:00:00Z'), 'Asia/Tokyo').toISOString()).toBe(
      '2026-12-07T00:00:00.000Z',
    );
  });

  it('handles a daylight-saving change and falls back to New York for an unknown zone', () => {
    // Saturday 2026-03-07 in New York; DST starts Sunday the 8th, so Monday 09:00 is 13:00 UTC.
    expect(nextBusinessMorning(new Date('2026-03-07T12:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    expect(nextBusinessMorning(new Date('2026-12-01T11:00:00Z'), 'Not/AZone').toISOString()).toBe(
      '2026-12-01T14:00:00.000Z',
    );
  });
});
