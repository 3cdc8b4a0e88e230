import { matchReferrer } from './referrer-match';

const members = [
  { id: 'ben', firstName: 'Ben', lastName: 'Trenda' },
  { id: 'sarah-chen', firstName: 'Sarah', lastName: 'Chen' },
  { id: 'sarah-kim', firstName: 'sarah', lastName: 'KIM' },
];

describe('matchReferrer', () => {
  it('matches first and last name case-insensitively', () => {
    expect(matchReferrer('SARAH chen', members)?.memberId).toBe('sarah-chen');
    expect(matchReferrer('Sarah Kim', members)?.memberId).toBe('sarah-kim');
  });

  it('matches a unique first name alone, and a last initial', () => {
    expect(matchReferrer('Ben', members)?.memberId).toBe('ben');
    expect(matchReferrer('Sarah K', members)?.memberId).toBe('sarah-kim');
  });

  it('gives no match when ambiguous or when the last name disagrees', () => {
    expect(matchReferrer('Sarah', members)).toBeNull();
    expect(matchReferrer('Ben Smith', members)).toBeNull();
    expect(matchReferrer('Nobody Known', members)).toBeNull();
  });
});
