import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OPT_OUT_REPLY } from '../../src/messaging/sms-keywords';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { nextPhone } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

const CHAT = join(__dirname, '..', '..', 'dist', 'cli', 'chat.main.js');
const run = promisify(execFile);

/** Black box: `npm run chat` texting STOP to the built service gets one answer, then nothing. */
describe('STOP in the chat command', () => {
  let db: TestDatabase;
  let service: ServiceProcess;
  const env = () => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: db.url });
  const chat = async (phone: string, message: string) =>
    (await run(process.execPath, [CHAT, '--phone', phone, '--message', message], { env: env() })).stdout;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await ServiceProcess.start({
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      MESSAGE_DISPATCH_INTERVAL_MS: '200',
    });
    await service.waitUntilHealthy();
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  it('answers STOP once and sends nothing after, neither replies nor queued texts', async () => {
    const phone = nextPhone();
    expect(await chat(phone, 'STOP')).toBe(`bouncer> ${OPT_OUT_REPLY}\n`);

    const user = await db.pool.query<{ id: string; opted_out_at: Date | null }>(
      `SELECT id, opted_out_at FROM users WHERE phone_number = $1`,
      [phone],
    );
    expect(user.rows[0].opted_out_at).toBeInstanceOf(Date);
    const userId = user.rows[0].id;
    // A proactive text queued afterwards (a workflow's news) is cancelled by the dispatcher.
    const queued = await db.pool.query<{ id: string }>(
      `INSERT INTO message_queue (user_id, agent_id, final_message, priority) VALUES ($1, 'bouncer', 'Any news?', 'urgent')
       RETURNING id`,
      [userId],
    );
    await expectEventually(async () => {
      const row = await db.pool.query(`SELECT status FROM message_queue WHERE id = $1`, [queued.rows[0].id]);
      expect(row.rows[0].status).toBe('cancelled');
    });

    expect(await chat(phone, 'hello?')).toBe('(no reply: the agent had nothing to say)\n');
    expect(await chat(phone, 'STOP')).toBe('(no reply: the agent had nothing to say)\n');

    const outbound = await db.pool.query<{ content: string }>(
      `SELECT content FROM messages WHERE user_id = $1 AND direction = 'outbound'`,
      [userId],
    );
    expect(outbound.rows).toEqual([{ content: OPT_OUT_REPLY }]);
  });
});
