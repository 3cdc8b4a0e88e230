import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from '../../test/support/anthropic-stand-in.ts';

interface ToolSchema {
  name: string;
  input_schema?: { properties?: Record<string, { type?: string; enum?: string[] }>; required?: string[] };
}

/**
 * A model for benchmarks and the chaos run: the Anthropic stand-in answering every decision with the first
 * allowed scenario and every render with a short sentence, or, during a fault window, 529s or
 * answers slower than the service's timeout.
 */
export class ScriptedModel {
  mode: 'healthy' | 'overloaded' | 'slow' = 'healthy';
  readonly standIn: AnthropicStandIn;

  private constructor(standIn: AnthropicStandIn) {
    this.standIn = standIn;
    standIn.setResponder((request) => this.answer(request));
  }

  static async start(): Promise<ScriptedModel> {
    return new ScriptedModel(await AnthropicStandIn.start());
  }

  private answer(request: RecordedRequest): ScriptedReply {
    if (this.mode === 'overloaded') return { kind: 'error', status: 529, retryAfterMs: 20 };
    const reply = this.healthy(request);
    return this.mode === 'slow' ? { kind: 'slow', delayMs: 4000, then: reply } : reply;
  }

  private healthy(request: RecordedRequest): ScriptedReply {
    const tool = ((request.body as { tools?: ToolSchema[] }).tools ?? [])[0];
    if (!tool) return { kind: 'text', text: 'Noted. Who told you about us?' };
    const input: Record<string, unknown> = {};
    const properties = tool.input_schema?.properties ?? {};
    for (const name of new Set([...(tool.input_schema?.required ?? []), 'next_scenario'])) {
      const property = properties[name];
      if (!property) continue;
      input[name] = property.enum?.[0] ?? (property.type === 'boolean' ? false : property.type === 'array' ? [] : 'ok');
    }
    return { kind: 'tool_use', name: tool.name, input };
  }
}
