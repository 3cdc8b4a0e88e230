// A local HTTP stand-in for the Anthropic Messages API (POST /v1/messages), for tests.
//
// It speaks the wire format the real API speaks (bodies typed against the SDK's own `Message` and
// `ErrorResponse` types), so the real `Anthropic` client can be pointed at it with `baseURL`.
// Replies are scripted: `enqueue()` them in order, or `setResponder()` to compute one per request.
// Prompt caching is simulated (see `usageFor`), and requests are validated the way the API would
// reject them, so a malformed request from our code fails a test instead of passing silently.
import { randomBytes } from 'node:crypto';
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

/** The approximate token count the stand-in reports: one token per four characters of JSON. */
const approxTokens = (value: unknown): number => Math.ceil(JSON.stringify(value ?? '').length / 4);

export class AnthropicStandIn {
  readonly requests: RecordedRequest[] = [];
  /** How many requests the client abandoned (socket closed) before their answer was sent. */
  disconnects = 0;

  private readonly queue: ScriptedReply[] = [];
  private responder: (req: RecordedRequest) => ScriptedReply = DEFAULT_RESPONDER;
  /** Cache keys of the prompt prefixes already "written" to the simulated prompt cache. */
  private readonly cache = new Set<string>();
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
  ) {}

  /** Listens on an ephemeral loopback port. */
  static async start(): Promise<AnthropicStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const standIn = new AnthropicStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => standIn.handle(req, res));
    return standIn;
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
    res.on('close', () => {
      if (!res.writableFinished) this.disconnects++;
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
      const recorded: RecordedRequest = { path, headers: { ...req.headers }, body, receivedAt: Date.now() };
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
      case 'tool_use':
        return write(200, JSON.stringify(this.message(reply, recorded.body as JsonObject)));
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

  /**
   * Simulated prompt caching. The prompt renders as tools → system → messages; the cacheable prefix
   * runs up to and including the last block carrying `cache_control` (or to the end, when the
   * request-level `cache_control` asks for automatic caching). The first time a prefix is seen (per
   * model) its size is reported as `cache_creation_input_tokens`, afterwards as
   * `cache_read_input_tokens`; `input_tokens` counts only what follows the prefix, like the API.
   * Simplifications: entries never expire, no minimum cacheable length, only the last breakpoint counts.
   * The key is the JSON text, which is byte-exact like the real cache (key order matters).
   */
  private usageFor(request: JsonObject, output: ContentBlock[]): Usage {
    const blocks: unknown[] = [];
    const addAll = (value: unknown): void => {
      if (Array.isArray(value)) blocks.push(...(value as unknown[]));
      else if (value !== undefined) blocks.push(value);
    };
    addAll(request.tools);
    addAll(request.system);
    for (const message of request.messages as JsonObject[]) addAll(message.content);

    let end = request.cache_control ? blocks.length : 0; // exclusive end of the cacheable prefix
    blocks.forEach((block, i) => {
      if (isObject(block) && block.cache_control) end = Math.max(end, i + 1);
    });
    const prefix = blocks.slice(0, end);
    const prefixTokens = end > 0 ? approxTokens(prefix) : 0;
    const key = `${String(request.model)}\n${JSON.stringify(prefix)}`;
    const hit = end > 0 && this.cache.has(key);
    if (end > 0) this.cache.add(key);
    const created = end > 0 && !hit ? prefixTokens : 0;

    const breakpoint = end > 0 ? blocks[end - 1] : undefined;
    const control = isObject(breakpoint) && isObject(breakpoint.cache_control) ? breakpoint.cache_control : {};
    const ttl = isObject(request.cache_control) ? request.cache_control.ttl : control.ttl;
    return {
      input_tokens: Math.max(1, approxTokens(blocks.slice(end))),
      output_tokens: Math.max(1, approxTokens(output)),
      cache_creation_input_tokens: created,
      cache_read_input_tokens: hit ? prefixTokens : 0,
      cache_creation: {
        ephemeral_5m_input_tokens: ttl === '1h' ? 0 : created,
        ephemeral_1h_input_tokens: ttl === '1h' ? created : 0,
      },
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
