import type { StoredMessage } from '../context/agent-context.types';
import { checkOnboardingProgress, type OnboardingUser } from './onboarding-progress';

const empty: OnboardingUser = {
  firstName: null,
  lastName: null,
  company: null,
  title: null,
  emailVerified: false,
  referredBy: null,
  nameDropped: null,
};
let n = 0;
const msg = (role: string, direction: string): StoredMessage => ({
  id: `m${++n}`,
  role,
  content: 'x',
  direction,
  createdAt: new Date(),
});

describe('checkOnboardingProgress', () => {
  it('walks the onboarding order: referrer, first name, last name, company and title, email, complete', () => {
    const asked = [msg('user', 'inbound'), msg('bouncer', 'outbound')];
    const answered = [...asked, msg('user', 'inbound')];
    expect(checkOnboardingProgress(empty, []).step).toBe('referrer');
    expect(checkOnboardingProgress(empty, asked).step).toBe('referrer');
    expect(checkOnboardingProgress(empty, answered).step).toBe('first_name');
    expect(checkOnboardingProgress({ ...empty, nameDropped: 'Bob' }, []).step).toBe('first_name');
    const named = { ...empty, nameDropped: 'Bob', firstName: 'Jane' };
    expect(checkOnboardingProgress(named, []).step).toBe('last_name');
    expect(checkOnboardingProgress({ ...named, lastName: 'Doe', company: 'Acme' }, []).step).toBe('company_and_title');
    const employed = { ...named, lastName: 'Doe', company: 'Acme', title: 'VP' };
    expect(checkOnboardingProgress(employed, []).step).toBe('email_verification');
    const done = checkOnboardingProgress({ ...employed, emailVerified: true }, []);
    expect(done).toMatchObject({ step: 'complete', isComplete: true, missingFields: [] });
  });

  it('does not require a referrer to be complete', () => {
    const user = { ...empty, firstName: 'A', lastName: 'B', company: 'C', title: 'D', emailVerified: true };
    expect(checkOnboardingProgress(user, []).isComplete).toBe(true);
  });
});
