import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { blackBoxEnv } from '../support/black-box';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

const QUERY_SECRET = 'qs-secret-value-991';
/** JSON logs, and a key long enough for production validation. */
const PRODUCTION = { NODE_ENV: 'production', ANTHROPIC_API_KEY: 'sk-ant-test-key-long-enough' };
const DB_PASSWORD = 'Wrong-Pass-Never-Shown-77';

const parses = (line: string): boolean => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

/** What reaches the log in production: JSON only, from the first line to the last, and no secrets. */
describe('log hygiene in production', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;

  beforeAll(async () => {
    db = await createTestDatabase();
    model = await AnthropicStandIn.start();
  });

  afterAll(async () => {
    await model?.stop();
    await db?.drop();
  });

  it('a boot that fails on the database writes JSON lines only, without the password', async () => {
    const url = new URL(db.url);
    url.password = DB_PASSWORD;
    url.pathname = '/rp_database_that_does_not_exist';
    const service = await ServiceProcess.start(blackBoxEnv(url.toString(), model, PRODUCTION));
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    // 'exit' can come before the last lines are read from the pipes.
    await expectEventually(() => expect(service.stderr.length).toBeGreaterThan(0));
    const lines = [...service.stdout, ...service.stderr].filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(parses(line)).toBe(true);
      expect(line).not.toContain(DB_PASSWORD);
    }
    const failure = service.stderr.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failure).toEqual([expect.objectContaining({ level: 'fatal', event: 'startup_failed' })]);
  });

  it('request logs name query parameters but never their values', async () => {
    const service = await ServiceProcess.start(blackBoxEnv(db.url, model, PRODUCTION));
    try {
      await service.waitUntilHealthy();
      await fetch(`${service.url}/metrics?token=${QUERY_SECRET}&page=2`);
      const logged = await expectEventually(() => {
        const line = service.stdout.find((entry) => entry.includes('/metrics?'));
        if (!line) throw new Error('request not logged yet');
        return line;
      });
      expect(logged).toContain('token=[REDACTED]');
      expect(service.stdout.join('\n')).not.toContain(QUERY_SECRET);
      for (const line of service.stdout) expect(parses(line)).toBe(true);
    } finally {
      await service.stop();
    }
  });
  it('tone_enforced names the kind of each correction, never a fragment of the generated reply', async () => {
    const NAME = 'Zebulonia';
    model.setResponder((request) =>
      (request.body as { tools?: unknown[] }).tools
        ? { kind: 'tool_use', name: 'make_decision', input: { next_scenario: 'ask_for_referrer' } }
        : { kind: 'text', text: `${NAME} from our team will call you. Who told you about us?` },
    );
    const service = await ServiceProcess.start(blackBoxEnv(db.url, model, PRODUCTION));
    try {
      await service.waitUntilHealthy();
      const user = await seedUser(db.pool);
      await insertInbound(db.pool, user, ['hi']);
      const tone = await expectEventually(() => {
        const line = service.stdout.find((entry) => entry.includes('"tone_enforced"'));
        if (!line) throw new Error('tone_enforced not logged yet');
        return JSON.parse(line) as { corrections: string[] };
      });
      expect(tone.corrections).toContain('unknown_name');
      // The name was in the generated reply only: no log line may carry it.
      for (const line of [...service.stdout, ...service.stderr]) expect(line).not.toContain(NAME);
    } finally {
      await service.stop();
    }
  });
});
