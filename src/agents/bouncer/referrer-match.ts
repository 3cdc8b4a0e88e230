import type { VerifiedMember } from './bouncer.repository';

export interface ReferrerMatch {
  memberId: string;
  score: number;
}

const same = (a: string | null, b: string | null): boolean =>
  a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Scores verified members against the name a user gave (case-insensitive first and
 * last name, best score wins). A first name alone matches one member; when the user gave a last
 * name it must agree (an initial counts). Ties are ambiguous: no match, the text is kept instead.
 */
export function matchReferrer(name: string, members: readonly VerifiedMember[]): ReferrerMatch | null {
  const [first, ...rest] = name.trim().split(/\s+/);
  const last = rest.length > 0 ? rest.join(' ').replace(/\.$/, '') : null;
  const scored = members
    .map((member) => {
      if (!same(member.firstName, first)) return { memberId: member.id, score: 0 };
      if (last === null) return { memberId: member.id, score: 2 };
      if (same(member.lastName, last)) return { memberId: member.id, score: 4 };
      const initial = last.length === 1 && member.lastName?.charAt(0).toLowerCase() === last.toLowerCase();
      return { memberId: member.id, score: initial ? 3 : 0 };
    })
    .filter((candidate) => candidate.score > 0)
    .sort((a, b) => b.score - a.score);
  if (scored.length === 0) return null;
  if (scored.length > 1 && scored[1].score === scored[0].score) return null;
  return scored[0];
}
