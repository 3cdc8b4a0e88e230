import { addIntroOpportunity, seedMember } from '../agents/concierge-fixtures';
import { AnthropicStandIn, type RecordedRequest, type ScriptedReply } from '../support/anthropic-stand-in';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';
import { WorkflowsHarness } from './workflows-harness';

/**
 * A member asks for news of an intro, end to end in one service on real PostgreSQL, Claude through
 * the real SDK at the stand-in: the text → the turn's `follow_up_on_intro` → `user.intro_inquiry`
 * → its `intro_followup_check` task → the member's status text in the queue.
 */
describe('a member asks where an intro stands (Claude stand-in, whole service)', () => {
  let stand: AnthropicStandIn;
  let h: WorkflowsHarness;
  let decision: Record<string, unknown> = {};

  beforeAll(async () => {
    stand = await AnthropicStandIn.start();
    // Every decision call gets the current scripted decision; nothing else is asked of the model.
    stand.setResponder((request: RecordedRequest): ScriptedReply =>
      (request.body as { tools?: unknown[] }).tools
        ? { kind: 'tool_use', name: 'make_decision', input: decision }
        : { kind: 'text', text: 'I’ll check on it and text you.' },
    );
    h = await WorkflowsHarness.start({ ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: stand.baseURL });
  });
  afterAll(async () => {
    await h?.close();
    await stand?.stop();
  });

  const pool = () => h.db.pool;
  const conciergeAsks = (introId: string) => {
    decision = {
      next_scenario: 'intro_followup_acknowledgment',
      tool_calls: [{ name: 'follow_up_on_intro', input: { intro_id: introId } }],
      reply_texts: ['I’ll check where your intro with Maya Patel stands and text you shortly.'],
    };
  };
  const answered = (messageId: string) =>
    expectEventually(
      async () => {
        const rows = await pool().query<{ content: string; processing_state: string; attempts: number }>(
          `SELECT r.content, m.processing_state, m.attempts FROM messages m
           JOIN messages r ON r.reply_to_message_id = m.id WHERE m.id = $1 ORDER BY r.sequence_index`,
          [messageId],
        );
        expect(rows.rows.length).toBeGreaterThan(0);
        expect(rows.rows[0].processing_state).toBe('done');
        return { replies: rows.rows.map((row) => row.content), attempts: rows.rows[0].attempts };
      },
      { timeoutMs: 30_000 },
    );
  const statusTexts = (user: SeededUser) =>
    expectEventually(
      async () => {
        const texts = await h.texts(user.userId);
        expect(texts.length).toBeGreaterThan(0);
        return texts.map((row) => ({ text: row.final_message, subject: row.subject, agent: row.agent_id }));
      },
      { timeoutMs: 30_000 },
    );
  const acceptedIntro = async (member: SeededUser) => {
    const { id } = await addIntroOpportunity(pool(), member, { first: 'Maya', last: 'Patel', company: 'Acme' });
    await pool().query(`UPDATE intro_opportunities SET status = 'accepted' WHERE id = $1`, [id]);
    return id;
  };

  it('the Concierge’s member texts, and gets the intro’s state from the task, once', async () => {
    const member = await seedMember(pool());
    const introId = await acceptedIntro(member);
    conciergeAsks(introId);

    const [text] = await insertInbound(pool(), member, ['any news on my intro to Maya?']);

    expect((await answered(text)).replies).toEqual([
      'I’ll check where your intro with Maya Patel stands and text you shortly.',
    ]);
    expect(await statusTexts(member)).toEqual([
      {
        text: "About your intro with Maya Patel: it's agreed, and the introduction is being set up.",
        subject: `intro_opportunity:${introId}`,
        agent: 'concierge',
      },
    ]);
    const [inquiry, ...moreInquiries] = await h.eventsOfType('user.intro_inquiry');
    expect(moreInquiries).toEqual([]);
    expect(inquiry).toEqual({
      payload: { userId: member.userId, introType: 'intro_opportunity', introId },
      created_by: 'concierge_agent',
    });
    expect(await h.tasks(member.userId, 'intro_followup_check')).toEqual([
      expect.objectContaining({
        status: 'completed',
        priority: 'high',
        agent_type: 'concierge',
        result_json: { introType: 'intro_opportunity', introId, status: 'accepted', queued: true },
      }),
    ]);
  });

  it('an innovator asking about their own connection request hears it by the introducee’s name', async () => {
    const innovator = await seedUser(pool(), { verified: true, poc_agent_type: 'innovator', first_name: 'Avery' });
    await pool().query(`UPDATE users SET last_name = 'Quinn', innovator = true WHERE id = $1`, [innovator.userId]);
    const sam = await seedMember(pool(), 'Sam');
    const { rows } = await pool().query<{ id: string }>(
      `INSERT INTO connection_requests (introducee_user_id, requestor_user_id, requestor_name, intro_context, status)
       VALUES ($1, $2, 'Avery Quinn', 'reconciliation at banks', 'open') RETURNING id`,
      [sam.userId, innovator.userId],
    );
    decision = {
      next_scenario: 'member_tool_acknowledgment',
      tools_to_use: [{ tool_name: 'follow_up_on_intro', tool_input: { intro_id: rows[0].id } }],
    };

    const [text] = await insertInbound(pool(), innovator, ['any news on Sam?']);

    await answered(text);
    expect(await statusTexts(innovator)).toEqual([
      {
        text: "About your intro with Sam Reyes: it's still waiting on a reply. I'll tell you as soon as it moves.",
        subject: `connection_request:${rows[0].id}`,
        agent: 'innovator',
      },
    ]);
    expect((await h.eventsOfType('user.intro_inquiry')).filter((e) => e.created_by === 'innovator_agent')).toHaveLength(
      1,
    );
  });

  it('a turn whose commit fails is retried by the engine and asks once', async () => {
    // The first commit carrying an inquiry fails (a sequence is not rolled back with it); the engine
    // retries the turn, which decides again and commits.
    await pool().query(`CREATE SEQUENCE test_inquiry_commits`);
    await pool().query(
      `CREATE FUNCTION test_fail_first_inquiry() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF nextval('test_inquiry_commits') = 1 THEN RAISE EXCEPTION 'injected commit failure'; END IF;
         RETURN NEW;
       END $$`,
    );
    await pool().query(
      `CREATE TRIGGER test_fail_first_inquiry BEFORE INSERT ON events FOR EACH ROW
       WHEN (NEW.event_type = 'user.intro_inquiry') EXECUTE FUNCTION test_fail_first_inquiry()`,
    );
    try {
      const member = await seedMember(pool(), 'Kim');
      const introId = await acceptedIntro(member);
      conciergeAsks(introId);
      const before = (await h.eventsOfType('user.intro_inquiry')).length;

      const [text] = await insertInbound(pool(), member, ['where does my intro with Maya stand?']);

      const { replies, attempts } = await answered(text);
      expect(attempts).toBe(2);
      expect(replies).toHaveLength(1);
      expect(await statusTexts(member)).toHaveLength(1);
      expect(await h.eventsOfType('user.intro_inquiry')).toHaveLength(before + 1);
      expect(await h.tasks(member.userId, 'intro_followup_check')).toHaveLength(1);
      expect(
        (await pool().query<{ last_value: string }>(`SELECT last_value FROM test_inquiry_commits`)).rows[0].last_value,
      ).toBe('2');
    } finally {
      await pool().query(`DROP TRIGGER test_fail_first_inquiry ON events`);
    }
  });
});
