import {
  AnthropicStandIn,
  type RecordedRequest,
  type ScriptedReply,
  type StandInOptions,
} from '../../test/support/anthropic-stand-in.ts';

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  items?: PropertySchema;
  properties?: Record<string, PropertySchema>;
  required?: string[];
}
interface ToolSchema {
  name: string;
  input_schema?: PropertySchema;
}

/**
 * Prose the scripted model writes, at the length a real answer has, so that a latency profile's
 * output speed is charged for a realistic number of tokens: an SMS reply of about 45 tokens
 * (180 characters) and a note to the reply writer of about 20 tokens.
 */
export const SMS_REPLY =
  'Thanks, that helps. Who pointed you our way? A name is enough, and I will take it from there so we can get you set up properly.';
const NOTE = 'Warm and brief; ask one question only, and do not repeat what they already told us.';
/** Property names that carry prose rather than a code or an id. */
const PROSE = /repl|text|message|response|context|guidance|note|reason/i;

/**
 * A model for benchmarks and the chaos run: the Anthropic stand-in answering every decision with the first
 * allowed scenario and every render with a short sentence, or, during a fault window, 529s or
 * answers slower than the service's timeout. With `latency: 'model'` every answer takes the
 * stand-in's latency profile of the requested model.
 */
export class ScriptedModel {
  mode: 'healthy' | 'overloaded' | 'slow' = 'healthy';
  readonly standIn: AnthropicStandIn;

  private constructor(standIn: AnthropicStandIn) {
    this.standIn = standIn;
    standIn.setResponder((request) => this.answer(request));
  }

  static async start(options: StandInOptions = {}): Promise<ScriptedModel> {
    return new ScriptedModel(await AnthropicStandIn.start(options));
  }

  private answer(request: RecordedRequest): ScriptedReply {
    if (this.mode === 'overloaded') return { kind: 'error', status: 529, retryAfterMs: 20 };
    const reply = this.healthy(request);
    return this.mode === 'slow' ? { kind: 'slow', delayMs: 4000, then: reply } : reply;
  }

  private healthy(request: RecordedRequest): ScriptedReply {
    const tool = ((request.body as { tools?: ToolSchema[] }).tools ?? [])[0];
    if (!tool) return { kind: 'text', text: SMS_REPLY };
    return { kind: 'tool_use', name: tool.name, input: fill(tool.input_schema ?? {}) as Record<string, unknown> };
  }
}

/** An input for `schema`: required fields, the scenario, and prose fields, each with a plausible value. */
function fill(schema: PropertySchema, name = ''): unknown {
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return 7;
    case 'array':
      return PROSE.test(name) && schema.items?.type === 'string' && !schema.items.enum ? [SMS_REPLY] : [];
    case 'object': {
      const input: Record<string, unknown> = {};
      const properties = schema.properties ?? {};
      for (const [key, property] of Object.entries(properties)) {
        const wanted = schema.required?.includes(key) || key === 'next_scenario' || PROSE.test(key);
        if (wanted && property.type !== 'object') input[key] = fill(property, key);
        else if (schema.required?.includes(key)) input[key] = fill(property, key);
      }
      return input;
    }
    default:
      return PROSE.test(name) ? (/repl|text|message/i.test(name) ? SMS_REPLY : NOTE) : 'ok';
  }
}
