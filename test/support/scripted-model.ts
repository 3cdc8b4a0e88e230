import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from './anthropic-stand-in.ts';

interface ToolSchema {
  name: string;
  input_schema?: { properties?: Record<string, { type?: string; enum?: string[] }>; required?: string[] };
}

export type ModelMode = 'healthy' | 'overloaded' | 'slow' | 'hang';

/** A render answer held back until the test releases it (see `holdNextRender`). */
export interface HeldRender {
  /** Resolves when the render request has arrived and is being held. */
  readonly arrived: Promise<void>;
  /** Sends the held answer. */
  release(): void;
}

/** How long `hang` keeps a request unanswered: longer than any turn timeout, so the client gives up first. */
const HANG_MS = 10 * 60_000;

/**
 * The model of the chaos run and of the black-box tests (the benchmark has its own, tuned for
 * realistic token counts, in bench/lib/scripted-model.mts): the Anthropic stand-in answering every decision
 * with the first allowed scenario and every render with a short sentence, or, during a fault
 * window, 529s (`overloaded`), answers slower than the service's timeout (`slow`) or no answer
 * at all until the client gives up (`hang`). A render answer can be held back, so a test can act
 * while the service waits for the last model call of a turn.
 */
export class ScriptedModel {
  mode: ModelMode = 'healthy';
  /** How late `slow` answers: set it above the service's turn timeout. */
  slowMs = 4000;
  readonly standIn: AnthropicStandIn;
  /** Words every rendered reply carries, so a scan can find replies where they must not be. */
  readonly replyText: string;
  private holds: Array<{ arrive: () => void; released: Promise<void> }> = [];

  private constructor(standIn: AnthropicStandIn, replyText: string) {
    this.standIn = standIn;
    this.replyText = replyText;
    standIn.setResponder((request) => this.answer(request));
  }

  static async start(replyText = 'Noted. Who told you about us?'): Promise<ScriptedModel> {
    return new ScriptedModel(await AnthropicStandIn.start(), replyText);
  }

  get baseURL(): string {
    return this.standIn.baseURL;
  }

  /** Holds the answer to the next render request (the last model call of a turn) until released. */
  holdNextRender(): HeldRender {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ arrive, released });
    return { arrived, release };
  }

  /** Gives up every hold not yet taken by a request (a fault that found no turn to catch). */
  cancelHolds(): void {
    this.holds = [];
  }

  private answer(request: RecordedRequest): ScriptedReply {
    if (this.mode === 'overloaded') return { kind: 'error', status: 529, retryAfterMs: 20 };
    const reply = this.healthy(request);
    if (this.mode === 'hang') return { kind: 'slow', delayMs: HANG_MS, then: reply };
    if (this.mode === 'slow') return { kind: 'slow', delayMs: this.slowMs, then: reply };
    const hold = reply.kind === 'text' ? this.holds.shift() : undefined;
    if (!hold) return reply;
    hold.arrive();
    return { kind: 'held', until: hold.released, then: reply };
  }

  private healthy(request: RecordedRequest): ScriptedReply {
    const tool = ((request.body as { tools?: ToolSchema[] }).tools ?? [])[0];
    if (!tool) return { kind: 'text', text: this.replyText };
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
