import { enforceTone, splitSentences, wordsOf, type ToneRules } from './tone-rules';

const rules = (overrides: Partial<ToneRules> = {}): ToneRules => ({
  maxSentencesPerText: 2,
  maxCharsPerText: 320,
  maxTexts: 3,
  allowedEmails: [],
  knownWords: wordsOf(['Jane Doe', 'Yachtparty', 'Madonna']),
  ...overrides,
});

describe('enforceTone', () => {
  it('removes emoji for a voice without them, and keeps them otherwise', () => {
    expect(enforceTone(['Done 🎉. Next step 👍'], rules({ allowEmoji: false }))).toEqual({
      texts: ['Done. Next step'],
      corrections: ['emoji_removed'],
    });
    expect(enforceTone(['👍'], rules()).texts).toEqual(['👍']);
  });

  it('replaces exclamation points', () => {
    const result = enforceTone(['Welcome aboard! Great to meet you!!', 'Really?!'], rules());
    expect(result.texts).toEqual(['Welcome aboard. Great to meet you.', 'Really?']);
    expect(result.corrections).toContain('exclamation');
  });

  it('splits a text of more than two sentences into texts of at most two', () => {
    const result = enforceTone(['One. Two. Three? Four.'], rules());
    expect(result.texts).toEqual(['One. Two.', 'Three? Four.']);
    expect(result.corrections).toContain('split');
  });

  it('keeps abbreviations inside their sentence', () => {
    expect(splitSentences('Jane works at Acme Inc. in Ohio. She is VP.')).toEqual([
      'Jane works at Acme Inc. in Ohio.',
      'She is VP.',
    ]);
  });

  it('drops a sentence with an email address that is not allowed, keeps the allowed one', () => {
    const allowed = 'verify-123@verify.yachtparty.xyz';
    const result = enforceTone(
      [`Email ${allowed} from your work address. Or write to team@yachtparty.xyz.`],
      rules({ allowedEmails: [allowed] }),
    );
    expect(result.texts).toEqual([`Email ${allowed} from your work address.`]);
    expect(result.corrections).toContain('email_removed');
  });

  it('drops a sentence with a phone number, keeping figures and an allowed address with digits', () => {
    const allowed = 'verify-12345678-1234-4234-8234-123456789012@verify.yachtparty.xyz';
    const result = enforceTone(
      [`Her cell is +1 (415) 555-0134. They went from $0 to $100M. Email ${allowed} to verify.`],
      rules({ allowedEmails: [allowed] }),
    );
    expect(result.texts).toEqual([`They went from $0 to $100M. Email ${allowed} to verify.`]);
    expect(result.corrections).toContain('phone_removed');
  });

  it('drops sentences naming people who are not in the context', () => {
    const result = enforceTone(['Thanks, Jane. Mike from our team will call you. Michael Smith says hi.'], rules());
    expect(result.texts).toEqual(['Thanks, Jane.']);
    expect(result.corrections).toEqual(expect.arrayContaining(['unknown_name:Mike', 'unknown_name:Michael']));
  });

  it('lets ordinary sentence starts, acronyms and product names through', () => {
    const texts = [
      'Got it, Jane. Last name too, or are you like Madonna?',
      'Yachtparty is SOC 2 compliant, per the VP.',
    ];
    expect(enforceTone(texts, rules()).texts).toEqual(texts);
  });

  it('caps the number of texts and the characters per text', () => {
    const result = enforceTone(['A. B.', 'C.', 'D.', 'E.'], rules());
    expect(result.texts).toEqual(['A. B.', 'C.', 'D.']);
    expect(result.corrections).toContain('texts_dropped');
    const long = enforceTone([`${'x'.repeat(150)}. ${'y'.repeat(150)}.`], rules({ maxCharsPerText: 200 }));
    expect(long.texts).toHaveLength(2);
  });
});

describe('enforceTone on contractions', () => {
  it('keeps questions that open with a contraction', () => {
    const texts = ['Got it. What’s your name?', "That's everything I need. Here's how it works."];
    expect(enforceTone(texts, rules()).texts).toEqual(texts);
  });
});
