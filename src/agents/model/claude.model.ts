// The one file that imports @anthropic-ai/sdk (docs/architecture.md §4).
import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  type Middleware,
} from '@anthropic-ai/sdk';
import type {
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import { AgentModel } from './agent-model';
import {
  InvalidModelOutputError,
  ModelCallAbortedError,
  ModelRequestRejectedError,
  ModelUnavailableError,
} from './model.errors';
import type { DecideRequest, RenderRequest } from './model-requests.types';
import type { ModelCall, ModelCallOptions, ModelUsage, PromptParts } from './model.types';
import { splitReplyTexts } from './reply-splitter';

export interface ClaudeModelSettings {
  apiKey: string;
  /** Undefined: the SDK's default endpoint. */
  baseURL?: string;
  model: string;
  /**
   * Per attempt. A Sonnet-class call takes about 1.2 s to its first token plus its output at
   * about 70 tokens/s, so a decision that also writes the reply often needs 2.5-3.5 s: cutting it
   * at 2.5 s (as before) abandoned about half of them and made every cut one a retry, which is
   * what set the benchmark's tail. One slow attempt is cheaper than two; the engine's turn
   * timeout bounds the rest.
   */
  timeoutMs?: number;
  maxRetries?: number;
  /** Longest server-requested wait (retry-after) the SDK may sit out inside a turn. */
  maxRetryWaitMs?: number;
}

const DEFAULT_TIMEOUT_MS = 6000;
const DEFAULT_MAX_RETRIES = 1;
const DEFAULT_MAX_RETRY_WAIT_MS = 1000;

/**
 * A server asking for a longer pause than the turn can afford (e.g. `retry-after: 30` on a 429)
 * should not hold the turn: mark the response not retryable, so the error reaches the engine, whose
 * backoff schedules the turn again. Short waits are still honoured by the SDK.
 */
function capRetryWait(maxWaitMs: number): Middleware {
  return async (request, next) => {
    const response = await next(request);
    if (response.ok) return response;
    const ms = Number(response.headers.get('retry-after-ms') ?? NaN);
    const seconds = Number(response.headers.get('retry-after') ?? NaN);
    const wait = Number.isFinite(ms) ? ms : Number.isFinite(seconds) ? seconds * 1000 : 0;
    if (wait <= maxWaitMs) return response;
    const headers = new Headers(response.headers);
    headers.set('x-should-retry', 'false');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

/** The static prefix carries the cache breakpoint; per-user state follows it, uncached. */
function systemBlocks(prompt: PromptParts): TextBlockParam[] {
  const blocks: TextBlockParam[] = [{ type: 'text', text: prompt.staticSystem, cache_control: { type: 'ephemeral' } }];
  if (prompt.dynamicSystem.trim() !== '') blocks.push({ type: 'text', text: prompt.dynamicSystem });
  return blocks;
}

function usageOf(message: Message, latencyMs: number): ModelUsage {
  return {
    model: message.model,
    inputTokens: message.usage.input_tokens,
    outputTokens: message.usage.output_tokens,
    cacheCreationInputTokens: message.usage.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: message.usage.cache_read_input_tokens ?? 0,
    latencyMs,
  };
}

/** The model port on the Anthropic Messages API: decisions by forced tool use, prose in a second call. */
export class ClaudeModel extends AgentModel {
  readonly kind = 'claude' as const;
  private readonly client: Anthropic;

  constructor(private readonly settings: ClaudeModelSettings) {
    super();
    this.client = new Anthropic({
      apiKey: settings.apiKey,
      baseURL: settings.baseURL ?? null,
      timeout: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: settings.maxRetries ?? DEFAULT_MAX_RETRIES,
      middleware: [capRetryWait(settings.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS)],
    });
  }

  async decide<T>(request: DecideRequest<T>, options: ModelCallOptions): Promise<ModelCall<T>> {
    const { tool } = request;
    const started = performance.now();
    const message = await this.create(
      {
        ...this.base(request.prompt),
        tools: [{ name: tool.name, description: tool.description, input_schema: { ...tool.inputSchema } }],
        tool_choice: { type: 'tool', name: tool.name, disable_parallel_tool_use: true },
      },
      options,
    );
    const latencyMs = Math.round(performance.now() - started);
    const call = message.content.find((block) => block.type === 'tool_use' && block.name === tool.name);
    if (call?.type !== 'tool_use') {
      throw new InvalidModelOutputError(
        `expected a ${tool.name} tool call, got ${message.content.map((b) => b.type).join(', ') || 'nothing'} (stop_reason ${String(message.stop_reason)})`,
        request.purpose,
      );
    }
    const parsed = tool.parse(call.input);
    return { value: parsed.value, refused: parsed.refused, usage: usageOf(message, latencyMs) };
  }

  async render(request: RenderRequest, options: ModelCallOptions): Promise<ModelCall<string[]>> {
    const started = performance.now();
    const message = await this.create(this.base(request.prompt), options);
    const latencyMs = Math.round(performance.now() - started);
    const prose = message.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .join('')
      .trim();
    const texts = splitReplyTexts(prose);
    if (texts.length === 0) {
      throw new InvalidModelOutputError(`empty reply (stop_reason ${String(message.stop_reason)})`, request.purpose);
    }
    return { value: texts, refused: [], usage: usageOf(message, latencyMs) };
  }

  private base(prompt: PromptParts): MessageCreateParamsNonStreaming {
    const messages: MessageParam[] = prompt.turns.map((turn) => ({ role: turn.role, content: turn.content }));
    return {
      model: this.settings.model,
      max_tokens: prompt.maxTokens,
      system: systemBlocks(prompt),
      messages,
    };
  }

  private async create(params: MessageCreateParamsNonStreaming, options: ModelCallOptions): Promise<Message> {
    try {
      return await this.client.messages.create(params, { signal: options.signal });
    } catch (error) {
      throw this.translate(error, options.signal);
    }
  }

  /** SDK errors → the port's errors, so nothing above this file knows the SDK. */
  private translate(error: unknown, signal: AbortSignal): Error {
    if (error instanceof APIUserAbortError || signal.aborted) return new ModelCallAbortedError({ cause: error });
    if (error instanceof APIConnectionTimeoutError) {
      return new ModelUnavailableError(`Anthropic API timed out (${this.timeoutMs()} ms per attempt)`, null, {
        cause: error,
      });
    }
    if (error instanceof APIConnectionError) {
      return new ModelUnavailableError(`Anthropic API unreachable: ${error.message}`, null, { cause: error });
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      const transient = error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
      const text = `Anthropic API answered ${error.status}: ${error.message}`;
      return transient
        ? new ModelUnavailableError(text, error.status, { cause: error })
        : new ModelRequestRejectedError(text, error.status, { cause: error });
    }
    if (error instanceof SyntaxError) {
      return new InvalidModelOutputError(`unreadable API response: ${error.message}`, 'anthropic');
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private timeoutMs(): number {
    return this.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }
}
