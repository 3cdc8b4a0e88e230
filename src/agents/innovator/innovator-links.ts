import { createHash, randomBytes } from 'node:crypto';

/** Where innovators upload prospect lists; the token in the path is checked against its stored hash. */
export const PROSPECT_UPLOAD_BASE_URL = 'https://yachtparty.xyz/prospects/upload';
/** Upload links expire after this long (a forwarded text is useless after it). */
export const UPLOAD_LINK_TTL_MS = 72 * 60 * 60 * 1000;
/**
 * Credit funding has no payment provider yet: the link is a placeholder, and every text that carries
 * it says so. Saying "I paid" moves no credits; only the ledger (credit_events) does.
 */
export const PAYMENT_LINK_PLACEHOLDER = 'https://yachtparty.xyz/credits/fund';

export interface UploadToken {
  token: string;
  sha256: string;
}

/** 24 random bytes, URL-safe; only the hash is stored. */
export function newUploadToken(): UploadToken {
  const token = randomBytes(24).toString('base64url');
  return { token, sha256: createHash('sha256').update(token).digest('hex') };
}

export const uploadUrl = (token: string): string => `${PROSPECT_UPLOAD_BASE_URL}/${token}`;
