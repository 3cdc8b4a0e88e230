import { smsKeyword } from './sms-keywords';

describe('smsKeyword', () => {
  it.each([
    ['STOP', 'opt_out'],
    ['stopall', 'opt_out'],
    [' Unsubscribe ', 'opt_out'],
    ['cancel', 'opt_out'],
    ['End.', 'opt_out'],
    ['QUIT!', 'opt_out'],
    ['start', 'opt_in'],
    ['UNSTOP', 'opt_in'],
    ['Help', 'help'],
  ])('reads %j as %s', (text, keyword) => {
    expect(smsKeyword(text)).toBe(keyword);
  });

  it.each(['stop it', 'please STOP', 'STOP STOP', 'help me', '', 'constructor', 'toString', 'S T O P'])(
    'reads %j as no keyword',
    (text) => {
      expect(smsKeyword(text)).toBeNull();
    },
  );

  it('reads a missing text as no keyword', () => {
    expect(smsKeyword(null)).toBeNull();
  });
});
