/** Events an agent records at most once per user; the loader reports which already exist. */
export const ONBOARDING_COMPLETE_EVENT = 'user.onboarding_info_complete';
export const VERIFICATION_PENDING_EVENT = 'user.verification.pending';
export const ONCE_EVENTS = [ONBOARDING_COMPLETE_EVENT, VERIFICATION_PENDING_EVENT] as const;
