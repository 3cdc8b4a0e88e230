import type { INestApplication } from '@nestjs/common';
import { AgentModel } from '../../src/agents/model/agent-model';
import { QueuedMessageRenderer } from '../../src/messaging/queued-message.renderer';
import { EVENT_HANDLERS, type EventHandler } from '../../src/routing/event-handler';
import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent } from '../support/seed';
import { startTestApp } from '../support/test-app';

/** An event handler that asks the model for a text, as a workflow in an agent's voice would. */
class ModelCallingHandler implements EventHandler {
  readonly eventType = 'test.model';
  model: AgentModel | null = null;
  async handle(_event: unknown, context: { signal: AbortSignal }) {
    await this.model!.render(
      {
        purpose: 'workflow.render',
        prompt: { staticSystem: 'Say hi.', dynamicSystem: '', turns: [{ role: 'user', content: 'hi' }], maxTokens: 50 },
        local: () => ['hi'],
      },
      { signal: context.signal },
    );
    return { actions: [], events: [], logs: [] };
  }
}

/** Never calls the model: its success says nothing about the key. */
const plainHandler: EventHandler = {
  eventType: 'test.plain',
  handle: () => Promise.resolve({ actions: [], events: [], logs: [] }),
};

/**
 * No user texts at all: only event handlers (or the dispatcher's render) talk to the model. /health,
 * read over HTTP, says `degraded` once they meet a refused key (401), stays so while work that never
 * calls the model succeeds, and says `healthy` again as soon as one of their model calls is accepted.
 */
describe('the model configuration signal, from event handlers alone', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let app: INestApplication;
  let url: string;
  const handler = new ModelCallingHandler();

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
    app = await startTestApp(
      {
        DATABASE_URL: db.url,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: model.baseURL,
        RETRY_BASE_DELAY_MS: '50',
        RETRY_MAX_DELAY_MS: '200',
        SWEEP_INTERVAL_MS: '100',
      },
      (builder) => builder.overrideProvider(EVENT_HANDLERS).useValue([handler, plainHandler]),
    );
    handler.model = app.get(AgentModel);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await model?.stop();
    await db?.drop();
  });

  const health = async () => {
    const response = await fetch(`${url}/health`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const state = async (id: string) =>
    (await db.pool.query(`SELECT processing_state FROM events WHERE id = $1`, [id])).rows[0].processing_state;

  it('goes degraded on a 401 seen by an event, and healthy again when an event handler’s model call succeeds', async () => {
    expect((await health()).body).toMatchObject({ status: 'healthy', model: { status: 'ok' } });
    model.setResponder(() => ({ kind: 'error', status: 401, message: 'invalid x-api-key' }));
    const id = await insertEvent(db.pool, 'test.model', {});
    await expectEventually(async () => {
      const { status, body } = await health();
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'degraded', model: { status: 'failing' } });
      expect(String((body.model as { error: string }).error)).toMatch(/401/);
    });

    // Work that never calls the model succeeds meanwhile: the key is no less refused.
    const plain = await insertEvent(db.pool, 'test.plain', {});
    await expectEventually(async () => expect(await state(plain)).toBe('done'));
    expect(await state(id)).toMatch(/^(pending|processing)$/);
    expect((await health()).body).toMatchObject({ status: 'degraded', model: { status: 'failing' } });

    model.setResponder(() => ({ kind: 'text', text: 'hi' }));
    await expectEventually(async () => expect(await state(id)).toBe('done'), { timeoutMs: 60_000 });
    expect((await health()).body).toMatchObject({ status: 'healthy', model: { status: 'ok', error: null } });
    const texts = await db.pool.query(`SELECT count(*)::int AS n FROM messages`);
    expect(texts.rows[0].n).toBe(0);
  });

  it('goes degraded when only the dispatcher’s render meets the refused key, though the render itself fails soft', async () => {
    expect((await health()).body).toMatchObject({ status: 'healthy', model: { status: 'ok' } });
    model.setResponder(() => ({ kind: 'error', status: 401, message: 'invalid x-api-key' }));
    const rendered = await app.get(QueuedMessageRenderer).render('concierge', { summary: 'Three new members joined.' });
    expect(rendered).toEqual({ ok: false, reason: 'render failed: model rejected' });
    const { body } = await health();
    expect(body).toMatchObject({ status: 'degraded', model: { status: 'failing' } });

    model.setResponder(() => ({ kind: 'text', text: 'Three new members joined your circle.' }));
    expect(
      await app.get(QueuedMessageRenderer).render('concierge', { summary: 'Three new members joined your circle.' }),
    ).toMatchObject({ ok: true });
    expect((await health()).body).toMatchObject({ status: 'healthy', model: { status: 'ok', error: null } });
  });
});
