/** A change of the user's SMS consent, committed with the turn that answered the keyword. */
export interface ConsentChange {
  userId: string;
  /** `opt_out` (STOP and synonyms) or `opt_in` (START, UNSTOP). */
  change: 'opt_out' | 'opt_in';
}
