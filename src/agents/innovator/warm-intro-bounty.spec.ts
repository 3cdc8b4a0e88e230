import { bountyOnAcceptance, offerValueScore } from './warm-intro-bounty';

describe('warm-intro bounty rules', () => {
  it('pays the introducee innovator’s warm bounty on acceptance, and nothing for a non-innovator', () => {
    expect(bountyOnAcceptance({ warmIntroBounty: 25 })).toBe(25);
    expect(bountyOnAcceptance({ warmIntroBounty: 60 })).toBe(60);
    expect(bountyOnAcceptance(null)).toBe(0);
    expect(bountyOnAcceptance({ warmIntroBounty: -5 })).toBe(0);
  });

  it('raises the offer’s value by (bounty − 25), within 0–100', () => {
    expect(offerValueScore(70, { warmIntroBounty: 25 })).toBe(70);
    expect(offerValueScore(70, { warmIntroBounty: 40 })).toBe(85);
    expect(offerValueScore(70, { warmIntroBounty: 10 })).toBe(55);
    expect(offerValueScore(70, { warmIntroBounty: 500 })).toBe(100);
    expect(offerValueScore(10, { warmIntroBounty: 0 })).toBe(0);
    expect(offerValueScore(70, null)).toBe(70);
  });
});
