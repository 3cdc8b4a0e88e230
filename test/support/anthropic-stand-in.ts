// A local HTTP stand-in for the Anthropic Messages API (POST /v1/messages), for tests.
//
// It speaks the wire format the real API speaks (bodies typed against the SDK's own `Message` and
// `ErrorResponse` types), so the real `Anthropic` client can be pointed at it with `baseURL`.
// Replies are scripted: `enqueue()` them in order, or `setResponder()` to compute one per request.
// Prompt caching is simulated the way the API documents it (see `PromptCache`): a breakpoint caches
// only a prefix of at least the model's minimum length, and usage reports cache writes and reads.
// Requests are validated the way the API would reject them, so a malformed request from our code
// fails a test instead of passing silently. Answers are instant unless a latency profile is set
// (`start({ latency: 'model' })`): then each answer takes the model's time to first token plus its
// output tokens at the model's output speed, as a non-streaming call does.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContentBlock, Message, StopReason, Usage } from '@anthropic-ai/sdk/resources/messages';
import type { ErrorResponse } from '@anthropic-ai/sdk/resources/shared';

export type ScriptedReply =
  /** An assistant message whose last block is a tool_use block; stop_reason 'tool_use'. */
  | { kind: 'tool_use'; name: string; input: unknown; text?: string }
  /** A plain text answer; stop_reason 'end_turn'. */
  | { kind: 'text'; text: string }
  /**
   * An Anthropic-format error body. `retryAfterSeconds` sets `retry-after` (what the API sends);
   * `retryAfterMs` sets `retry-after-ms`, which the SDK prefers and which keeps tests fast;
   * `shouldRetry` sets `x-should-retry`, which overrides the SDK's status-based retry policy.
   */
  | {
      kind: 'error';
      status: 429 | 500 | 529 | 400 | 401;
      retryAfterSeconds?: number;
      retryAfterMs?: number;
      shouldRetry?: boolean;
      message?: string;
    }
  /** Answer `then` after `delayMs` (before any header is sent); a client that gives up is tolerated. */
  | { kind: 'slow'; delayMs: number; then: ScriptedReply }
  /** Answer `then` once `until` settles (before any header is sent): the test decides the moment. */
  | { kind: 'held'; until: Promise<void>; then: ScriptedReply }
  /** Exactly this status and body (sent as application/json), for malformed or odd answers. */
  | { kind: 'raw'; status: number; body: string };

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the raw text if it was not JSON. */
  body: unknown;
  receivedAt: number;
  /** When the answer was sent (Date.now()); unset while pending or if the client hung up first. */
  answeredAt?: number;
  /** When the client hung up before the answer was sent (Date.now()), e.g. its timeout fired. */
  abandonedAt?: number;
  /** The usage reported with a successful message. */
  usage?: Usage;
}

/**
 * How long a model takes to answer a non-streaming request: the time to first token, then the
 * output tokens at a steady speed. The time to first token is drawn from a log-normal distribution
 * with the given median and spread (sigma of the underlying normal; 0 for a fixed value), because
 * real latencies have a tail and a p95 of a constant says nothing.
 */
export interface LatencyProfile {
  timeToFirstTokenMs: number;
  timeToFirstTokenSigma: number;
  outputTokensPerSecond: number;
}

/** What the stand-in knows about a model family. */
export interface ModelProfile {
  family: string;
  /** The shortest prefix the API caches at a breakpoint (a shorter one is processed uncached, silently). */
  minCacheableTokens: number;
  latency: LatencyProfile;
}

/**
 * Sonnet-class figures. Sources, read 2026-12: Artificial Analysis, as quoted for Claude Sonnet 4.5
 * (63 output tokens/s, 1.80 s to first token, measured from their own client over the public API),
 * and AWS's Claude latency guide for Bedrock (Sonnet 4.6: 80-120 output tokens/s). The default
 * takes the middle of that range: 70 tokens/s and a 1.2 s median time to first token, with a
 * spread (sigma 0.25) that puts its p95 near 1.8 s, the slower published figure.
 */
export const SONNET_CLASS_LATENCY: LatencyProfile = {
  timeToFirstTokenMs: 1200,
  timeToFirstTokenSigma: 0.25,
  outputTokensPerSecond: 70,
};

/**
 * Minimum cacheable prompt lengths from Anthropic's prompt-caching documentation (1,024 tokens for
 * Sonnet-class models and Opus 4/4.1; 2,048 for Haiku 3 and 3.5; 4,096 for Opus 4.5/4.6 and Haiku
 * 4.5). Latency for the faster and slower families is scaled from the same sources. The first
 * matching pattern wins; an unknown model is treated as Sonnet-class.
 */
export const MODEL_PROFILES: ReadonlyArray<{ pattern: RegExp; profile: ModelProfile }> = [
  {
    pattern: /haiku-4|haiku-[5-9]/,
    profile: {
      family: 'haiku',
      minCacheableTokens: 4096,
      latency: { timeToFirstTokenMs: 600, timeToFirstTokenSigma: 0.25, outputTokensPerSecond: 150 },
    },
  },
  {
    pattern: /haiku/,
    profile: {
      family: 'haiku-3',
      minCacheableTokens: 2048,
      latency: { timeToFirstTokenMs: 600, timeToFirstTokenSigma: 0.25, outputTokensPerSecond: 120 },
    },
  },
  {
    pattern: /opus-4-[5-9]|opus-[5-9]/,
    profile: {
      family: 'opus',
      minCacheableTokens: 4096,
      latency: { timeToFirstTokenMs: 2000, timeToFirstTokenSigma: 0.25, outputTokensPerSecond: 45 },
    },
  },
  {
    pattern: /opus/,
    profile: {
      family: 'opus-4',
      minCacheableTokens: 1024,
      latency: { timeToFirstTokenMs: 2000, timeToFirstTokenSigma: 0.25, outputTokensPerSecond: 45 },
    },
  },
];
const SONNET_CLASS: ModelProfile = { family: 'sonnet', minCacheableTokens: 1024, latency: SONNET_CLASS_LATENCY };

export function modelProfile(model: string): ModelProfile {
  return MODEL_PROFILES.find(({ pattern }) => pattern.test(model))?.profile ?? SONNET_CLASS;
}

export interface StandInOptions {
  /**
   * 'instant' (the default, for tests): answers as soon as they are computed. 'model': each
   * answer takes its model's latency profile (`modelProfile`, or `setLatencyProfile`).
   */
  latency?: 'instant' | 'model';
  /** The clock of the prompt cache's time to live (default Date.now), so tests can move time. */
  now?: () => number;
  /** Seed of the latency draws, so a benchmark run is repeatable (default 1). */
  seed?: number;
}

type JsonObject = Record<string, unknown>;
/** An error the stand-in answers with on its own account (any status, unlike scripted errors). */
type Rejection = { status: number; message: string };

const ERROR_TYPES: Record<number, ErrorResponse['error']['type']> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const DEFAULT_RESPONDER = (): ScriptedReply => ({ kind: 'text', text: 'OK' });

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Random id in the API's style, e.g. msg_01A2b3..., toolu_..., req_... */
const newId = (prefix: string): string => `${prefix}_01${randomBytes(12).toString('hex')}`;

/**
 * The documented approximation the stand-in counts tokens with: one token per four characters of
 * what the model reads (Anthropic's rule of thumb for English is about 3.5 characters a token, so
 * this errs low, which makes reaching a cache minimum harder, never easier). A text block counts
 * its text; a string message its string; a tool definition, a tool call's input and anything else
 * count their JSON.
 */
export function approxTokens(value: unknown): number {
  return Math.ceil(readableText(value).length / 4);
}

function readableText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(readableText).join('');
  if (isObject(value)) {
    if (value.type === 'text' && typeof value.text === 'string') return value.text;
    if (value.type === 'tool_use') return `${String(value.name)}${JSON.stringify(value.input ?? {})}`;
    if (value.type === 'tool_result') return readableText(value.content ?? '');
    const { cache_control: _ignored, ...rest } = value;
    return JSON.stringify(rest);
  }
  return value === undefined ? '' : JSON.stringify(value);
}

/** The block as the model reads it: where the breakpoints sit is not part of the cached content. */
function withoutCacheControl(block: unknown): unknown {
  if (!isObject(block)) return block ?? null;
  const { cache_control: _breakpoint, ...content } = block;
  return content;
}

/** A seeded uniform generator in [0, 1) (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIVE_MINUTES_MS = 5 * 60_000;
const ONE_HOUR_MS = 60 * 60_000;
/** The API looks for a cache hit at most this many blocks before each breakpoint. */
const LOOKBACK_BLOCKS = 20;
/** At most this many cache_control breakpoints per request (a top-level cache_control counts as one). */
const MAX_BREAKPOINTS = 4;

interface PromptBlock {
  /** Part of the prompt's identity: tool definitions, system, or a message role. */
  place: string;
  block: unknown;
  ttlMs: number | undefined;
}

/**
 * The prompt cache as Anthropic documents it. The prompt renders as tools → system → messages,
 * one block per tool definition, system block and message content block (a string message is one
 * block). A block carrying `cache_control` is a breakpoint; a top-level `cache_control` puts one on
 * the last block (automatic caching). For each request:
 * - read: the longest prefix already cached, looked up at each breakpoint and up to 20 blocks
 *   before it, is `cache_read_input_tokens`;
 * - write: each breakpoint whose prefix reaches the model's minimum is cached; the tokens from the
 *   read point to the last such breakpoint are `cache_creation_input_tokens` (split by TTL);
 * - the rest is `input_tokens`.
 * Entries live 5 minutes (or 1 hour with ttl '1h'), refreshed by each hit; keys are per model and
 * byte-exact over the prefix's JSON without its `cache_control` markers (key order matters, as with
 * the real cache; moving a breakpoint down a growing conversation still hits).
 */
class PromptCache {
  /** Prefix key → when it expires and the TTL a hit renews it for. */
  private readonly entries = new Map<string, { expiresAt: number; ttlMs: number }>();

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.entries.clear();
  }

  /** The breakpoints of `request`, or an error message when it has too many. */
  static blocks(request: JsonObject): { blocks: PromptBlock[]; breakpoints: number[] } | string {
    const blocks: PromptBlock[] = [];
    const ttlOf = (control: unknown): number | undefined =>
      isObject(control) ? (control.ttl === '1h' ? ONE_HOUR_MS : FIVE_MINUTES_MS) : undefined;
    const add = (place: string, block: unknown): void => {
      blocks.push({ place, block, ttlMs: isObject(block) ? ttlOf(block.cache_control) : undefined });
    };
    if (Array.isArray(request.tools)) for (const tool of request.tools as unknown[]) add('tools', tool);
    if (typeof request.system === 'string') add('system', request.system);
    else if (Array.isArray(request.system)) for (const block of request.system as unknown[]) add('system', block);
    for (const message of request.messages as JsonObject[]) {
      if (Array.isArray(message.content))
        for (const block of message.content as unknown[]) add(String(message.role), block);
      else add(String(message.role), message.content);
    }
    const automatic = ttlOf(request.cache_control);
    if (automatic !== undefined && blocks.length > 0) {
      const last = blocks[blocks.length - 1];
      last.ttlMs = last.ttlMs ?? automatic;
    }
    const breakpoints = blocks.flatMap((block, i) => (block.ttlMs !== undefined ? [i + 1] : []));
    const declared = blocks.filter((b) => isObject(b.block) && b.block.cache_control).length + (automatic ? 1 : 0);
    if (declared > MAX_BREAKPOINTS) {
      return `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${declared}.`;
    }
    return { blocks, breakpoints };
  }

  usage(model: string, minTokens: number, blocks: PromptBlock[], breakpoints: number[]) {
    // keys[k] identifies the prefix of the first k blocks; tokens[k] is its length.
    const keys: string[] = [model];
    const tokens: number[] = [0];
    for (const { place, block } of blocks) {
      const hash = createHash('sha256')
        .update(keys[keys.length - 1])
        .update(`\n${place}\n`);
      keys.push(hash.update(JSON.stringify(withoutCacheControl(block))).digest('hex'));
      tokens.push(tokens[tokens.length - 1] + approxTokens(block));
    }
    const now = this.now();
    const live = (k: number): boolean => (this.entries.get(keys[k])?.expiresAt ?? 0) > now;

    let read = 0;
    for (const end of breakpoints) {
      for (let k = end; k >= Math.max(1, end - LOOKBACK_BLOCKS); k -= 1) {
        if (k > read && live(k)) {
          read = k;
          break;
        }
      }
    }
    const hit = this.entries.get(keys[read]);
    if (read > 0 && hit) hit.expiresAt = now + hit.ttlMs;

    const written = breakpoints.filter((end) => end > read && tokens[end] >= minTokens);
    let created5m = 0;
    let created1h = 0;
    let from = read;
    for (const end of written) {
      const ttl = blocks[end - 1].ttlMs ?? FIVE_MINUTES_MS;
      if (ttl === ONE_HOUR_MS) created1h += tokens[end] - tokens[from];
      else created5m += tokens[end] - tokens[from];
      this.entries.set(keys[end], { expiresAt: now + ttl, ttlMs: ttl });
      from = end;
    }
    const total = tokens[tokens.length - 1];
    const cacheRead = tokens[read];
    const cacheCreation = created5m + created1h;
    return {
      input_tokens: Math.max(1, total - cacheRead - cacheCreation),
      cache_read_input_tokens: cacheRead,
      cache_creation_input_tokens: cacheCreation,
      cache_creation: { ephemeral_5m_input_tokens: created5m, ephemeral_1h_input_tokens: created1h },
    };
  }
}

export class AnthropicStandIn {
  readonly requests: RecordedRequest[] = [];
  /** How many requests the client abandoned (socket closed) before their answer was sent. */
  disconnects = 0;

  private readonly queue: ScriptedReply[] = [];
  private responder: (req: RecordedRequest) => ScriptedReply = DEFAULT_RESPONDER;
  private readonly cache: PromptCache;
  private readonly latency: 'instant' | 'model';
  private readonly latencyOverrides = new Map<string, LatencyProfile>();
  private readonly random: () => number;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
    options: StandInOptions,
  ) {
    this.cache = new PromptCache(options.now ?? Date.now);
    this.latency = options.latency ?? 'instant';
    this.random = mulberry32(options.seed ?? 1);
  }

  /** Listens on an ephemeral loopback port. */
  static async start(options: StandInOptions = {}): Promise<AnthropicStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const standIn = new AnthropicStandIn(server, `http://127.0.0.1:${port}`, options);
    server.on('request', (req, res) => standIn.handle(req, res));
    return standIn;
  }

  /**
   * The latency profile of one model name, instead of its family's (only with `latency: 'model'`).
   * `reset()` keeps it: it is configuration, not state.
   */
  setLatencyProfile(model: string, profile: LatencyProfile): void {
    this.latencyOverrides.set(model, profile);
  }

  /** How long a successful answer of `outputTokens` tokens from `model` takes (ms); 0 when instant. */
  answerDelayMs(model: string, outputTokens: number): number {
    if (this.latency === 'instant') return 0;
    const profile = this.latencyOverrides.get(model) ?? modelProfile(model).latency;
    // Box-Muller: a standard normal from two uniforms, then the log-normal around the median.
    const normal = Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
    const firstToken = profile.timeToFirstTokenMs * Math.exp(profile.timeToFirstTokenSigma * normal);
    return firstToken + (outputTokens / profile.outputTokensPerSecond) * 1000;
  }

  /** Replies for the next requests to POST /v1/messages, first in first out. */
  enqueue(...replies: ScriptedReply[]): void {
    this.queue.push(...replies);
  }

  /** Computes the reply when the queue is empty (default: a short text reply). */
  setResponder(fn: (req: RecordedRequest) => ScriptedReply): void {
    this.responder = fn;
  }

  /** Resolves once `count` requests have been received (event-driven, for in-flight assertions). */
  waitForRequests(count = 1): Promise<RecordedRequest> {
    return this.until(() => this.requests.length >= count).then(() => this.requests[count - 1]);
  }

  /** Resolves once no request is being answered (slow replies finished or abandoned by the client). */
  idle(): Promise<void> {
    return this.until(() => this.inFlight === 0);
  }

  /** Forgets requests, queued replies, the responder and the prompt cache. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.responder = DEFAULT_RESPONDER;
    this.cache.clear();
    this.disconnects = 0;
  }

  /** Closes the server, cutting any connection still open (pending slow replies included). */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private notify(): void {
    for (const check of this.waiters.splice(0)) check();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    let recorded: RecordedRequest | undefined;
    res.on('close', () => {
      if (!res.writableFinished) {
        this.disconnects++;
        if (recorded) recorded.abandonedAt = Date.now();
      }
      this.inFlight--;
      this.notify();
    });
    // A client that vanishes mid-request is the scenario under test, not the stand-in's failure.
    req.on('error', () => undefined);
    res.on('error', () => undefined);

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      let isJson = true;
      try {
        body = JSON.parse(text);
      } catch {
        isJson = false;
      }
      const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
      recorded = { path, headers: { ...req.headers }, body, receivedAt: Date.now() };
      this.requests.push(recorded);
      this.notify();

      const rejection = this.validate(req, recorded, isJson);
      if (rejection) return this.send(res, { kind: 'error', ...rejection }, recorded);
      this.send(res, this.queue.shift() ?? this.responder(recorded), recorded);
    });
  }

  /** The checks the API makes before doing any work; returns the error to answer with, if any. */
  private validate(req: IncomingMessage, recorded: RecordedRequest, isJson: boolean): Rejection | undefined {
    const invalid = (message: string): Rejection => ({ status: 400, message });
    if (req.method !== 'POST' || recorded.path !== '/v1/messages') {
      return { status: 404, message: 'Not found' };
    }
    if (!req.headers['x-api-key'] && !req.headers.authorization) {
      return { status: 401, message: 'An x-api-key or Authorization header is required' };
    }
    if (!req.headers['anthropic-version']) return invalid('anthropic-version: header is required');
    const body = recorded.body;
    if (!isJson || !isObject(body)) return invalid('The request body is not valid JSON.');
    if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 0) {
      return invalid('max_tokens: Field required (a non-negative integer)');
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return invalid('messages: Field required (at least one message)');
    }
    for (const [i, message] of body.messages.entries()) {
      const ok =
        isObject(message) &&
        typeof message.role === 'string' &&
        (typeof message.content === 'string' || Array.isArray(message.content));
      if (!ok) return invalid(`messages.${i}: each message needs a role and a string or array content`);
    }
    if (body.stream === true) return invalid('stream: streaming is not supported by the test stand-in');
    const prompt = PromptCache.blocks(body);
    if (typeof prompt === 'string') return invalid(prompt);
    return undefined;
  }

  private send(
    res: ServerResponse,
    reply: ScriptedReply | ({ kind: 'error' } & Rejection),
    recorded: RecordedRequest,
  ): void {
    if (res.destroyed) return; // the client is gone: nothing to answer
    const requestId = newId('req');
    const write = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
      res.end(body);
      recorded.answeredAt = Date.now();
      this.notify();
    };
    switch (reply.kind) {
      case 'slow': {
        const timer = setTimeout(() => this.send(res, reply.then, recorded), reply.delayMs);
        res.once('close', () => clearTimeout(timer));
        return;
      }
      case 'held': {
        void reply.until.then(() => this.send(res, reply.then, recorded));
        return;
      }
      case 'raw':
        return write(reply.status, reply.body);
      case 'error': {
        const headers: Record<string, string> = {};
        if ('retryAfterSeconds' in reply && reply.retryAfterSeconds !== undefined) {
          headers['retry-after'] = String(reply.retryAfterSeconds);
        }
        if ('retryAfterMs' in reply && reply.retryAfterMs !== undefined) {
          headers['retry-after-ms'] = String(reply.retryAfterMs);
        }
        if ('shouldRetry' in reply && reply.shouldRetry !== undefined) {
          headers['x-should-retry'] = String(reply.shouldRetry);
        }
        const body = errorBody(reply.status, reply.message, requestId);
        return write(reply.status, JSON.stringify(body), headers);
      }
      case 'text':
      case 'tool_use': {
        const message = this.message(reply, recorded.body as JsonObject);
        recorded.usage = message.usage;
        const delayMs = this.answerDelayMs(message.model, message.usage.output_tokens);
        if (delayMs <= 0) return write(200, JSON.stringify(message));
        const timer = setTimeout(() => {
          if (!res.destroyed) write(200, JSON.stringify(message));
        }, delayMs);
        res.once('close', () => clearTimeout(timer));
        return;
      }
    }
  }

  private message(reply: Extract<ScriptedReply, { kind: 'text' | 'tool_use' }>, request: JsonObject): Message {
    const content: ContentBlock[] = [];
    if (reply.text !== undefined) content.push({ type: 'text', text: reply.text, citations: null });
    let stopReason: StopReason = 'end_turn';
    if (reply.kind === 'tool_use') {
      const { name, input } = reply;
      content.push({ type: 'tool_use', id: newId('toolu'), name, input, caller: { type: 'direct' } });
      stopReason = 'tool_use';
    }
    return {
      id: newId('msg'),
      type: 'message',
      role: 'assistant',
      model: request.model as string,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: this.usageFor(request, content),
    };
  }

  /** Usage as the API reports it, with the prompt cache of `PromptCache` (validated before). */
  private usageFor(request: JsonObject, output: ContentBlock[]): Usage {
    const model = String(request.model);
    const { blocks, breakpoints } = PromptCache.blocks(request) as Exclude<
      ReturnType<typeof PromptCache.blocks>,
      string
    >;
    const cached = this.cache.usage(model, modelProfile(model).minCacheableTokens, blocks, breakpoints);
    return {
      ...cached,
      output_tokens: Math.max(1, approxTokens(output)),
      service_tier: 'standard',
      server_tool_use: null,
      output_tokens_details: null,
      inference_geo: null,
      speed: null,
    };
  }
}

/** `{type:'error', error:{type, message}, request_id}`, the API's error envelope. */
function errorBody(status: number, message: string | undefined, requestId: string): ErrorResponse {
  const type = ERROR_TYPES[status] ?? 'api_error';
  // The SDK types `error` as a union keyed by `type`; this one object stands for any member of it.
  const error = { type, message: message ?? `Scripted ${type}` };
  return { type: 'error', error, request_id: requestId };
}
