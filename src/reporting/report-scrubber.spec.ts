import { REDACTED, SecretScrubber } from '../logging/secret-scrubber';
import { scrubReport } from './report-scrubber';

const API_KEY = 'sk-ant-api03-abcdefghijklmnop';
const scrubber = new SecretScrubber([API_KEY, 'db-pass-w0rd-xyz']);

describe('scrubReport', () => {
  it('removes configured secrets, URL passwords and bearer tokens at any depth', () => {
    const report = {
      exception: {
        values: [
          {
            type: 'Error',
            value: `Anthropic API answered 401: invalid x-api-key ${API_KEY}`,
            stacktrace: {
              frames: [{ vars: { a: { b: { c: { d: { e: { url: 'postgres://u:db-pass-w0rd-xyz@h/db' } } } } } } }],
            },
          },
        ],
      },
      request: { headers: { Authorization: 'Bearer abc.def.ghi' }, url: 'http://x/?q=Bearer%20x' },
    };
    const text = JSON.stringify(scrubReport(report, scrubber));
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain('db-pass-w0rd-xyz');
    expect(text).not.toContain('abc.def.ghi');
    expect(text).toContain('invalid x-api-key [REDACTED]');
  });

  it('replaces the values of text- and credential-bearing keys and keeps everything else', () => {
    const report = {
      message: 'dead message (failed_every_attempt)',
      extra: { id: 'm-1', content: 'my pin is 1234', nested: { Body: 'hello', text: 'hi', password: 'x' } },
      tags: { kind: 'message' },
    };
    expect(scrubReport(report, scrubber)).toEqual({
      message: 'dead message (failed_every_attempt)',
      extra: { id: 'm-1', content: REDACTED, nested: { Body: REDACTED, text: REDACTED, password: REDACTED } },
      tags: { kind: 'message' },
    });
  });
});
