import { redactDeep, redactQuery } from './log-redaction';

describe('redactDeep', () => {
  it('redacts sensitive keys at any depth, in arrays too, and leaves the rest', () => {
    const record = {
      event: 'x',
      outer: { inner: { deeper: { content: 'private text', password: 'p', kept: 1 } } },
      list: [{ body: 'a body' }, { text: 'a text', id: 'm1' }],
    };
    expect(redactDeep(record)).toEqual({
      event: 'x',
      outer: { inner: { deeper: { content: '[REDACTED]', password: '[REDACTED]', kept: 1 } } },
      list: [{ body: '[REDACTED]' }, { text: '[REDACTED]', id: 'm1' }],
    });
  });

  it('leaves non-plain objects (requests, errors) for the serializers', () => {
    const error = new Error('boom');
    expect(redactDeep({ err: error }) as { err: Error }).toEqual({ err: error });
  });
});

describe('redactQuery', () => {
  it('keeps parameter names and drops values', () => {
    expect(redactQuery('/metrics?token=abc&page=2&flag')).toBe('/metrics?token=[REDACTED]&page=[REDACTED]&flag');
    expect(redactQuery('/health')).toBe('/health');
  });
});
