/**
 * Carrier keywords (CTIA / A2P 10DLC): the whole text, any case, surrounding spaces and a final
 * period or exclamation point ignored. "stop texting me about that intro" is not a keyword.
 */
export type SmsKeyword = 'opt_out' | 'opt_in' | 'help';

const KEYWORDS: Readonly<Record<string, SmsKeyword>> = {
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  START: 'opt_in',
  UNSTOP: 'opt_in',
  HELP: 'help',
};

export function smsKeyword(text: string | null | undefined): SmsKeyword | null {
  const word = (text ?? '')
    .trim()
    .replace(/[.!]+$/, '')
    .toUpperCase();
  return Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : null;
}

export const OPT_OUT_REPLY =
  'You are unsubscribed and will get no more texts from us. Reply START to resubscribe, HELP for help.';
export const OPT_IN_REPLY = 'You are subscribed again. Reply STOP at any time to stop all texts, HELP for help.';
export const HELP_REPLY =
  'Yachtparty is a professional network you reach by text: our agents answer here and send you intros and updates. ' +
  'Reply STOP to stop all texts, START to resume. Msg & data rates may apply.';
