import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from './anthropic-stand-in';
import { createTestDatabase, type TestDatabase } from './database';
import { ServiceProcess } from './service-process';

/** A model that answers every Bouncer turn: the decision call asks for the referrer, the render says so. */
export const healthyModel = (request: RecordedRequest): ScriptedReply =>
  (request.body as { tools?: unknown[] }).tools
    ? { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } }
    : { kind: 'text', text: 'Who told you about us?' };

/**
 * The environment of the built service under a black-box test: the test's database, the Anthropic
 * stand-in as the model, a fast catch-up sweep; `overrides` win. With NODE_ENV=production the key
 * must pass production validation, so give it a long one there.
 */
export function blackBoxEnv(
  databaseUrl: string,
  model: AnthropicStandIn,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: model.baseURL,
    SWEEP_INTERVAL_MS: '200',
    ...overrides,
  };
}

export interface BlackBox {
  db: TestDatabase;
  model: AnthropicStandIn;
  service: ServiceProcess;
  close(): Promise<void>;
}

/** A fresh database, the stand-in answering with `responder`, and the service on them, healthy. */
export async function startBlackBox(
  overrides: Record<string, string> = {},
  responder: (request: RecordedRequest) => ScriptedReply = healthyModel,
): Promise<BlackBox> {
  const db = await createTestDatabase();
  const model = await AnthropicStandIn.start();
  model.setResponder(responder);
  const service = await ServiceProcess.start(blackBoxEnv(db.url, model, overrides));
  const close = async () => {
    await service.stop();
    await model.stop();
    await db.drop();
  };
  try {
    await service.waitUntilHealthy();
  } catch (error) {
    await close();
    throw error;
  }
  return { db, model, service, close };
}
