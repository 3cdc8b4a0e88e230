// Proves the stand-in against the REAL Anthropic SDK client: if the stand-in's wire format, error
// envelope, retry headers or disconnect handling drift from what the SDK expects, these tests fail.
import Anthropic, {
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import type { ContentBlock, MessageCreateParamsNonStreaming, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { AnthropicStandIn, approxTokens, modelProfile, SONNET_CLASS_LATENCY } from './anthropic-stand-in';

// Any model name is echoed back; this one is not in the SDK's deprecation list, so it logs no warning.
const MODEL = 'claude-stand-in-test';

const SYSTEM: MessageCreateParamsNonStreaming['system'] = [
  {
    type: 'text',
    text: 'You route SMS messages for a professional network. '.repeat(20),
    cache_control: { type: 'ephemeral' },
  },
];
/** 51 characters × 90 = 4,590 characters ≈ 1,148 tokens: above the Sonnet-class minimum of 1,024. */
const LONG_RULES = 'You route SMS messages for a professional network. '.repeat(90);
const LONG_SYSTEM: MessageCreateParamsNonStreaming['system'] = [
  { type: 'text', text: LONG_RULES, cache_control: { type: 'ephemeral' } },
];
const TOOLS: MessageCreateParamsNonStreaming['tools'] = [
  {
    name: 'send_sms',
    description: 'Send an SMS to a member',
    input_schema: {
      type: 'object',
      properties: { to: { type: 'string' }, body: { type: 'string' } },
      required: ['to', 'body'],
    },
  },
];

const params = (overrides: Partial<MessageCreateParamsNonStreaming> = {}): MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello' }],
  ...overrides,
});

const isToolUse = (block: ContentBlock): block is ToolUseBlock => block.type === 'tool_use';

/** Resolves to the rejection of `promise`; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}

describe('AnthropicStandIn, driven by the real Anthropic SDK', () => {
  let stand: AnthropicStandIn;

  const client = ({ maxRetries = 0, timeout = 5_000 }: { maxRetries?: number; timeout?: number } = {}): Anthropic =>
    new Anthropic({ apiKey: 'test-key', baseURL: stand.baseURL, maxRetries, timeout });

  beforeAll(async () => {
    stand = await AnthropicStandIn.start();
  });
  afterEach(() => stand.reset()); // tests that leave a slow reply behind wait for `stand.idle()` themselves
  afterAll(async () => {
    await stand.stop();
  });

  describe('successful replies', () => {
    it('answers a tool_use reply that the SDK parses into a ToolUseBlock', async () => {
      const input = { to: '+15551234567', body: 'Your intro is ready' };
      stand.enqueue({ kind: 'tool_use', name: 'send_sms', input, text: 'Sending it now.' });

      const message = await client().messages.create(params({ tools: TOOLS }));

      expect(message).toMatchObject({
        type: 'message',
        role: 'assistant',
        model: MODEL,
        stop_reason: 'tool_use',
      });
      expect(message.id).toMatch(/^msg_/);
      expect(message.stop_sequence).toBeNull();
      expect(message.content[0]).toEqual({ type: 'text', text: 'Sending it now.', citations: null });
      const toolUse = message.content.find(isToolUse);
      expect(toolUse).toMatchObject({ type: 'tool_use', name: 'send_sms', input });
      expect(toolUse?.id).toMatch(/^toolu_/);
    });

    it('answers a text reply with end_turn, usage and a request-id header', async () => {
      stand.enqueue({ kind: 'text', text: 'Hello back' });

      const { data: message, response, request_id } = await client().messages.create(params()).withResponse();

      expect(message.content).toEqual([{ type: 'text', text: 'Hello back', citations: null }]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage.input_tokens).toBeGreaterThan(0);
      expect(message.usage.output_tokens).toBeGreaterThan(0);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(request_id).toMatch(/^req_/);
    });

    it('serves the queue first in first out, then the responder, then the default text', async () => {
      const anthropic = client();
      stand.enqueue({ kind: 'text', text: 'first' }, { kind: 'text', text: 'second' });
      const texts = async (): Promise<string> => {
        const message = await anthropic.messages.create(params());
        return message.content.map((block) => (block.type === 'text' ? block.text : block.type)).join();
      };

      expect(await texts()).toBe('first');
      expect(await texts()).toBe('second');
      stand.setResponder((req) => ({ kind: 'text', text: `seen ${JSON.stringify(req.body).length} chars` }));
      expect(await texts()).toMatch(/^seen \d+ chars$/);
      stand.reset();
      expect(await texts()).toBe('OK');
    });

    it('records the request: path, headers and the parsed body with tools and cached system blocks', async () => {
      await client().messages.create(params({ system: SYSTEM, tools: TOOLS }));

      expect(stand.requests).toHaveLength(1);
      const [recorded] = stand.requests;
      expect(recorded.path).toBe('/v1/messages');
      // SDK 1.14 sends `apiKey` as a bearer token, not as x-api-key.
      expect(recorded.headers.authorization).toBe('Bearer test-key');
      expect(recorded.headers['anthropic-version']).toEqual(expect.any(String));
      expect(recorded.headers['content-type']).toContain('application/json');
      expect(recorded.body).toEqual({
        model: MODEL,
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Hello' }],
        system: SYSTEM,
        tools: TOOLS,
      });
      expect(recorded.receivedAt).toBeLessThanOrEqual(Date.now());
    });
  });

  describe('prompt caching', () => {
    it('reports cache creation for a prefix above the minimum, then a cache read for the same prefix', async () => {
      const anthropic = client();
      const request = params({ system: LONG_SYSTEM, tools: TOOLS });

      const first = await anthropic.messages.create(request);
      const second = await anthropic.messages.create({
        ...request,
        messages: [{ role: 'user', content: 'Again' }],
      });

      const prefix = approxTokens(TOOLS) + approxTokens(LONG_RULES);
      expect(prefix).toBeGreaterThanOrEqual(1024);
      expect(first.usage).toMatchObject({
        cache_creation_input_tokens: prefix,
        cache_read_input_tokens: 0,
        input_tokens: approxTokens('Hello'), // only what follows the breakpoint
      });
      expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(prefix);
      expect(second.usage).toMatchObject({
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: prefix,
        input_tokens: approxTokens('Again'),
      });
      expect(stand.requests[1].usage).toEqual(second.usage); // recorded for benchmarks
    });

    it('caches nothing below the model minimum (1,024 tokens for Sonnet-class), silently, like the API', async () => {
      const anthropic = client();
      const short = params({ model: 'claude-sonnet-4-6', system: SYSTEM, tools: TOOLS }); // ≈ 300 tokens

      const first = await anthropic.messages.create(short);
      const second = await anthropic.messages.create(short);

      for (const { usage } of [first, second]) {
        expect(usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
        expect(usage.input_tokens).toBe(approxTokens(TOOLS) + approxTokens(SYSTEM) + approxTokens('Hello'));
      }
    });

    it('applies each model family its own minimum: 4,096 tokens for Haiku 4.5', async () => {
      const anthropic = client();
      const haiku = params({ model: 'claude-haiku-4-5', system: LONG_SYSTEM });
      const longer = params({
        model: 'claude-haiku-4-5',
        system: [{ type: 'text', text: LONG_RULES.repeat(4), cache_control: { type: 'ephemeral' } }],
      });

      expect((await anthropic.messages.create(haiku)).usage.cache_creation_input_tokens).toBe(0);
      expect((await anthropic.messages.create(longer)).usage.cache_creation_input_tokens).toBe(
        approxTokens(LONG_RULES.repeat(4)),
      );
      expect(modelProfile('claude-sonnet-5-5')).toMatchObject({ family: 'sonnet', minCacheableTokens: 1024 });
      expect(modelProfile('claude-3-5-haiku-latest').minCacheableTokens).toBe(2048);
      expect(modelProfile('claude-opus-4-6').minCacheableTokens).toBe(4096);
    });

    it('keeps entries per model, and writes a new entry when the prefix changes by one byte', async () => {
      const anthropic = client();
      await anthropic.messages.create(params({ system: LONG_SYSTEM }));

      const otherModel = await anthropic.messages.create(params({ model: 'claude-sonnet-4-6', system: LONG_SYSTEM }));
      const changed = await anthropic.messages.create(
        params({ system: [{ type: 'text', text: `${LONG_RULES}.`, cache_control: { type: 'ephemeral', ttl: '1h' } }] }),
      );
      const uncached = await anthropic.messages.create(params({ system: LONG_RULES, tools: TOOLS }));

      expect(otherModel.usage).toMatchObject({
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: approxTokens(LONG_RULES),
      });
      expect(changed.usage.cache_read_input_tokens).toBe(0);
      expect(changed.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
      expect(changed.usage.cache_creation?.ephemeral_1h_input_tokens).toBe(changed.usage.cache_creation_input_tokens);
      expect(uncached.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    });

    it('reads the longest cached prefix and writes from there to the last breakpoint', async () => {
      const anthropic = client();
      const history = (turns: number): MessageCreateParamsNonStreaming['messages'] =>
        Array.from({ length: turns }, (_, i) => ({
          role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
          content: [
            {
              type: 'text' as const,
              text: `message ${i} `.repeat(40),
              ...(i === turns - 1 ? { cache_control: { type: 'ephemeral' as const } } : {}),
            },
          ],
        }));

      const first = await anthropic.messages.create(params({ system: LONG_SYSTEM, messages: history(1) }));
      const third = await anthropic.messages.create(params({ system: LONG_SYSTEM, messages: history(3) }));

      expect(first.usage.cache_creation_input_tokens).toBe(
        approxTokens(LONG_RULES) + approxTokens('message 0 '.repeat(40)),
      );
      // The second request's first breakpoint (the system) and, 2 blocks back from its last, the
      // first request's whole prefix are cached: it reads the longer one and writes the two new messages.
      expect(third.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
      expect(third.usage.cache_creation_input_tokens).toBe(
        approxTokens('message 1 '.repeat(40)) + approxTokens('message 2 '.repeat(40)),
      );
      expect(third.usage.input_tokens).toBe(1); // nothing after the last breakpoint (the API reports at least 1 here)
    });

    it('caches the whole prompt with a top-level cache_control (automatic caching)', async () => {
      const anthropic = client();
      const request = { ...params({ system: LONG_RULES }), cache_control: { type: 'ephemeral' } };

      const first = await anthropic.messages.create(request as MessageCreateParamsNonStreaming);
      const second = await anthropic.messages.create(request as MessageCreateParamsNonStreaming);

      expect(first.usage.cache_creation_input_tokens).toBe(approxTokens(LONG_RULES) + approxTokens('Hello'));
      expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    });

    it('rejects more than 4 cache_control breakpoints with invalid_request_error', async () => {
      const block = { type: 'text' as const, text: 'rule', cache_control: { type: 'ephemeral' as const } };

      const error = await rejectionOf(
        client().messages.create(params({ system: [block, block, block, block, block] })),
      );

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).apiMessage).toContain('A maximum of 4 blocks with cache_control');
    });

    it('expires an entry after 5 minutes (1 hour with ttl 1h), and each hit renews it', async () => {
      let now = 1_000_000;
      const timed = await AnthropicStandIn.start({ now: () => now });
      try {
        const anthropic = new Anthropic({ apiKey: 'test-key', baseURL: timed.baseURL, maxRetries: 0 });
        const fiveMinutes = params({ system: LONG_SYSTEM });
        const oneHour = params({
          system: [{ type: 'text', text: LONG_RULES, cache_control: { type: 'ephemeral', ttl: '1h' } }],
        });
        const read = async (request: MessageCreateParamsNonStreaming): Promise<number> =>
          (await anthropic.messages.create(request)).usage.cache_read_input_tokens ?? 0;

        await read(fiveMinutes);
        await read(oneHour);
        now += 4 * 60_000;
        expect(await read(fiveMinutes)).toBeGreaterThan(0); // renewed: lives until now + 5 min
        now += 4 * 60_000;
        expect(await read(fiveMinutes)).toBeGreaterThan(0);
        now += 5 * 60_000 + 1;
        expect(await read(fiveMinutes)).toBe(0); // expired, written again
        expect(await read(oneHour)).toBeGreaterThan(0); // 13 minutes after its write
        now += 61 * 60_000;
        expect(await read(oneHour)).toBe(0);
      } finally {
        await timed.stop();
      }
    });
  });

  describe('latency profiles', () => {
    it('answers instantly by default, so tests stay fast', () => {
      expect(stand.answerDelayMs('claude-sonnet-5-5', 500)).toBe(0);
    });

    it('draws Sonnet-class answers around 1.2 s to first token plus 70 output tokens per second', async () => {
      const modelled = await AnthropicStandIn.start({ latency: 'model', seed: 7 });
      try {
        const draws = Array.from({ length: 2000 }, () => modelled.answerDelayMs('claude-sonnet-5-5', 70)).sort(
          (a, b) => a - b,
        );
        const median = draws[1000];
        const p95 = draws[1900];
        // 1,200 ms median first token + 70 tokens at 70 tokens/s = 2,200 ms; sigma 0.25 → p95 ≈ 1.51 × 1,200 + 1,000.
        expect(median).toBeGreaterThan(2100);
        expect(median).toBeLessThan(2300);
        expect(p95).toBeGreaterThan(2650);
        expect(p95).toBeLessThan(2950);
        expect(SONNET_CLASS_LATENCY.outputTokensPerSecond).toBe(70);
        expect(modelled.answerDelayMs('claude-haiku-4-5', 0)).toBeLessThan(draws[0]); // a faster family
      } finally {
        await modelled.stop();
      }
    });

    it('holds the answer for the profile: time to first token plus output tokens at the given speed', async () => {
      const modelled = await AnthropicStandIn.start({ latency: 'model' });
      try {
        modelled.setLatencyProfile(MODEL, {
          timeToFirstTokenMs: 120,
          timeToFirstTokenSigma: 0,
          outputTokensPerSecond: 1000,
        });
        const text = 'word '.repeat(400); // 500 tokens → 500 ms at 1,000 tokens/s
        modelled.enqueue({ kind: 'text', text });
        const anthropic = new Anthropic({ apiKey: 'test-key', baseURL: modelled.baseURL, maxRetries: 0 });

        const message = await anthropic.messages.create(params());

        expect(message.usage.output_tokens).toBe(500);
        const [recorded] = modelled.requests;
        expect(recorded.answeredAt! - recorded.receivedAt).toBeGreaterThanOrEqual(619);
        expect(modelled.answerDelayMs(MODEL, 500)).toBe(620);
        // Errors are quick: they skip the profile. A 10 s first token makes that plain on a slow machine too.
        modelled.setLatencyProfile(MODEL, {
          timeToFirstTokenMs: 10_000,
          timeToFirstTokenSigma: 0,
          outputTokensPerSecond: 1000,
        });
        modelled.enqueue({ kind: 'error', status: 529 });
        await expect(anthropic.messages.create(params())).rejects.toBeInstanceOf(OverloadedError);
        expect(modelled.requests[1].answeredAt! - modelled.requests[1].receivedAt).toBeLessThan(5_000);
      } finally {
        await modelled.stop();
      }
    });
  });

  describe('errors and the SDK retry policy', () => {
    it('529 then success: the SDK retries (maxRetries 1) and succeeds', async () => {
      stand.enqueue({ kind: 'error', status: 529, retryAfterMs: 1 }, { kind: 'text', text: 'recovered' });

      const message = await client({ maxRetries: 1 }).messages.create(params());

      expect(message.content).toEqual([{ type: 'text', text: 'recovered', citations: null }]);
      expect(stand.requests).toHaveLength(2);
      expect(stand.requests[1].headers['x-stainless-retry-count']).toBe('1');
    });

    it('529 with maxRetries 0 surfaces OverloadedError with status, type and request id', async () => {
      stand.enqueue({ kind: 'error', status: 529, message: 'Overloaded' });

      const error = await rejectionOf(client({ maxRetries: 0 }).messages.create(params()));

      expect(error).toBeInstanceOf(OverloadedError);
      expect(error).toMatchObject({ status: 529, type: 'overloaded_error', apiMessage: 'Overloaded' });
      expect((error as OverloadedError).requestID).toMatch(/^req_/);
      expect((error as OverloadedError).error).toMatchObject({
        type: 'error',
        request_id: expect.stringMatching(/^req_/),
      });
      expect(stand.requests).toHaveLength(1);
    });

    it('429 with retry-after: the SDK waits that long before retrying', async () => {
      // 0.6 s is longer than the SDK's own first backoff (at most 0.5 s), so the gap proves the header was used.
      stand.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 0.6 }, { kind: 'text', text: 'after the wait' });

      const message = await client({ maxRetries: 1 }).messages.create(params());

      expect(message.content).toEqual([{ type: 'text', text: 'after the wait', citations: null }]);
      expect(stand.requests).toHaveLength(2);
      expect(stand.requests[1].receivedAt - stand.requests[0].receivedAt).toBeGreaterThanOrEqual(590);
    });

    it('429 without retries surfaces RateLimitError carrying the retry-after header', async () => {
      stand.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 30 });

      const error = await rejectionOf(client({ maxRetries: 0 }).messages.create(params()));

      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, type: 'rate_limit_error' });
      expect((error as RateLimitError).headers.get('retry-after')).toBe('30');
    });

    it('500 is retried by default and surfaces InternalServerError once retries are spent', async () => {
      stand.enqueue(
        { kind: 'error', status: 500, retryAfterMs: 1 },
        { kind: 'error', status: 500, retryAfterMs: 1, message: 'Internal failure' },
      );

      const error = await rejectionOf(client({ maxRetries: 1 }).messages.create(params()));

      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 500, type: 'api_error', apiMessage: 'Internal failure' });
      expect(stand.requests).toHaveLength(2);
    });

    it('x-should-retry: false stops the SDK retrying a 500', async () => {
      stand.enqueue({ kind: 'error', status: 500, shouldRetry: false }, { kind: 'text', text: 'never sent' });

      await expect(client({ maxRetries: 2 }).messages.create(params())).rejects.toBeInstanceOf(InternalServerError);
      expect(stand.requests).toHaveLength(1);
    });

    it('scripted 400 and 401 surface BadRequestError and AuthenticationError without retries', async () => {
      stand.enqueue({ kind: 'error', status: 400, message: 'bad' }, { kind: 'error', status: 401 });
      const anthropic = client({ maxRetries: 2 });

      await expect(anthropic.messages.create(params())).rejects.toBeInstanceOf(BadRequestError);
      const error = await rejectionOf(anthropic.messages.create(params()));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ status: 401, type: 'authentication_error' });
      expect(stand.requests).toHaveLength(2);
    });
  });

  describe('request validation', () => {
    it.each([
      ['model', { max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }],
      ['max_tokens', { model: MODEL, messages: [{ role: 'user', content: 'hi' }] }],
      ['messages', { model: MODEL, max_tokens: 16 }],
      ['messages.0', { model: MODEL, max_tokens: 16, messages: [{ role: 'user' }] }],
    ])('rejects a request with a missing or malformed %s as invalid_request_error', async (field, body) => {
      stand.enqueue({ kind: 'text', text: 'kept for the next valid request' });
      const anthropic = client({ maxRetries: 2 });

      const error = await rejectionOf(anthropic.messages.create(body as unknown as MessageCreateParamsNonStreaming));

      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error' });
      expect((error as BadRequestError).apiMessage).toContain(field);
      const next = await anthropic.messages.create(params());
      expect(next.content).toEqual([{ type: 'text', text: 'kept for the next valid request', citations: null }]);
    });

    it('rejects streaming requests with 400', async () => {
      const error = await rejectionOf(client().messages.create({ ...params(), stream: true }));

      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).apiMessage).toContain('stream');
    });

    it('rejects a request without credentials (401) and unknown routes (404) in the API error format', async () => {
      const noKey = await fetch(`${stand.baseURL}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(params()),
      });
      const unknown = await fetch(`${stand.baseURL}/v1/models`, { headers: { 'x-api-key': 'test-key' } });

      expect(noKey.status).toBe(401);
      expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    });

    it('sends raw bodies verbatim, so malformed JSON reaches the caller as a parse failure', async () => {
      stand.enqueue(
        { kind: 'raw', status: 200, body: '{"type":"message",' },
        { kind: 'raw', status: 502, body: 'upstream reset' },
      );
      const anthropic = client();

      await expect(anthropic.messages.create(params())).rejects.toMatchObject({ name: 'SyntaxError' });
      await expect(anthropic.messages.create(params())).rejects.toMatchObject({
        status: 502,
        message: '502 upstream reset',
      });
    });
  });

  describe('slow replies, timeouts and aborts', () => {
    it('answers a slow reply that is within the SDK timeout', async () => {
      stand.enqueue({ kind: 'slow', delayMs: 50, then: { kind: 'text', text: 'eventually' } });

      const message = await client({ timeout: 5_000 }).messages.create(params());

      expect(message.content).toEqual([{ type: 'text', text: 'eventually', citations: null }]);
      expect(Date.now() - stand.requests[0].receivedAt).toBeGreaterThanOrEqual(49); // it did wait
      expect(stand.disconnects).toBe(0);
    });

    it('raises APIConnectionTimeoutError past the timeout, and survives the abandoned request', async () => {
      stand.enqueue({ kind: 'slow', delayMs: 60_000, then: { kind: 'text', text: 'too late' } });

      await expect(client({ timeout: 200 }).messages.create(params())).rejects.toBeInstanceOf(
        APIConnectionTimeoutError,
      );
      await stand.idle(); // resolves only once the stand-in has seen the client hang up

      expect(stand.disconnects).toBe(1);
      expect(stand.requests[0].abandonedAt).toBeGreaterThanOrEqual(stand.requests[0].receivedAt);
      expect(stand.requests[0].answeredAt).toBeUndefined();
      const next = await client().messages.create(params());
      expect(next.content).toEqual([{ type: 'text', text: 'OK', citations: null }]);
    });

    it('retries a timed-out request when retries are allowed', async () => {
      stand.enqueue(
        { kind: 'slow', delayMs: 60_000, then: { kind: 'text', text: 'too late' } },
        { kind: 'text', text: 'second attempt' },
      );

      const message = await client({ timeout: 2_000, maxRetries: 1 }).messages.create(params());

      expect(message.content).toEqual([{ type: 'text', text: 'second attempt', citations: null }]);
      expect(stand.requests).toHaveLength(2);
      await stand.idle();
      expect(stand.disconnects).toBe(1);
    });

    it('an AbortSignal in the request options aborts the in-flight request', async () => {
      stand.enqueue({ kind: 'slow', delayMs: 60_000, then: { kind: 'text', text: 'never read' } });
      const controller = new AbortController();

      const pending = client({ maxRetries: 2 }).messages.create(params(), { signal: controller.signal });
      await stand.waitForRequests(1); // the request is on the stand-in before we abort it
      controller.abort();

      await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
      await stand.idle();
      expect(stand.disconnects).toBe(1);
      expect(stand.requests).toHaveLength(1); // an abort is never retried
    });
  });
});
