import { ChatRepository } from '../../src/cli/chat.repository';
import { nextPhone } from '../support/seed';
import { AgentsHarness } from './agents-harness';

/** The chat command's data functions: the webhook's writes, and waiting for the committed reply. */
describe('ChatRepository', () => {
  let harness: AgentsHarness;
  let chat: ChatRepository;

  beforeAll(async () => {
    harness = await AgentsHarness.start();
    chat = new ChatRepository(harness.db.pool);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('creates one user (bouncer) and one active conversation however many first texts race', async () => {
    const phone = nextPhone();
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => chat.send(phone, `hello ${i}`)));

    const users = await harness.db.pool.query(
      `SELECT id, poc_agent_type, verified FROM users WHERE phone_number = $1`,
      [phone],
    );
    expect(users.rows).toHaveLength(1);
    expect(users.rows[0]).toMatchObject({ poc_agent_type: 'bouncer', verified: false });
    const conversations = await harness.db.pool.query(
      `SELECT id, phone_number FROM conversations WHERE user_id = $1 AND status = 'active'`,
      [users.rows[0].id],
    );
    expect(conversations.rows).toEqual([{ id: expect.any(String), phone_number: phone }]);
    const inbound = await harness.db.pool.query(
      `SELECT DISTINCT conversation_id, user_id, role, direction, status, processing_state FROM messages WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(inbound.rows).toEqual([
      {
        conversation_id: conversations.rows[0].id,
        user_id: users.rows[0].id,
        role: 'user',
        direction: 'inbound',
        status: 'delivered',
        processing_state: 'pending',
      },
    ]);
  });

  it('reuses an existing active conversation (the latest of several) instead of opening another', async () => {
    const phone = nextPhone();
    const { userId } = await chat.findOrCreateUser(phone);
    await harness.db.pool.query(
      `INSERT INTO conversations (user_id, phone_number, status, last_message_at) VALUES
         ($1, $2, 'active', now() - interval '2 days'), ($1, $2, 'active', now() - interval '1 day'), ($1, $2, 'closed', now())`,
      [userId, phone],
    );
    const latest = await harness.db.pool.query(
      `SELECT id FROM conversations WHERE user_id = $1 AND status = 'active' ORDER BY last_message_at DESC LIMIT 1`,
      [userId],
    );
    expect(await chat.findOrCreateActiveConversation(userId, phone)).toBe(latest.rows[0].id);
    const count = await harness.db.pool.query(`SELECT count(*)::int AS n FROM conversations WHERE user_id = $1`, [
      userId,
    ]);
    expect(count.rows[0].n).toBe(3);
  });

  it('waits for the committed reply of its message and returns every text in order', async () => {
    const phone = nextPhone();
    const messageId = await chat.send(phone, 'what is this?');
    const waiting = chat.waitForReply(messageId, { timeoutMs: 60_000, pollMs: 20 });

    const { userId } = await chat.findOrCreateUser(phone);
    await harness.runTurn(userId, messageId);

    const wait = await waiting;
    expect(wait.state).toBe('answered');
    if (wait.state !== 'answered') return;
    expect(wait.replies.map((reply) => reply.role)).toEqual(['bouncer', 'bouncer']);
    expect(wait.replies[0].content).toMatch(/^Yachtparty is a private network/);
    expect(wait.replies[1].content).toBe('Who told you about this?');
  });

  it('reports a message finished without a reply, and gives up at the deadline', async () => {
    const silent = await chat.send(nextPhone(), 'hi');
    await harness.db.pool.query(`UPDATE messages SET processing_state = 'done' WHERE id = $1`, [silent]);
    expect(await chat.waitForReply(silent, { timeoutMs: 1000 })).toEqual({ state: 'done', replies: [] });

    const unanswered = await chat.send(nextPhone(), 'anyone?');
    const started = Date.now();
    expect(await chat.waitForReply(unanswered, { timeoutMs: 300, pollMs: 50 })).toEqual({ state: 'timeout' });
    // It waited out the deadline and then gave up: a wait that ignored the deadline would poll until
    // the test timed out. The upper bound is loose, so a slow machine's late polls do not fail it.
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(10_000);
  });

  it('refuses a phone number that is not E.164', async () => {
    await expect(chat.send('555-1234', 'hi')).rejects.toThrow(/E\.164/);
  });
});
