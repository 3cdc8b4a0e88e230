import type { InnovatorProfile } from './innovator.context';

/** The profile fields intro matching needs; a gap is worth one prompt. */
export function missingProfileFields(profile: InnovatorProfile | null): string[] {
  const missing: string[] = [];
  if (!profile?.solutionDescription) missing.push('solution_description');
  if (!profile?.targetCustomerProfile) missing.push('target_customer_profile');
  return missing;
}
