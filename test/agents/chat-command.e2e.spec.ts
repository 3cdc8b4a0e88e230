import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { seedInnovatorDemo } from '../../src/cli/demo-seed.innovator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { nextPhone } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

const CHAT = join(__dirname, '..', '..', 'dist', 'cli', 'chat.main.js');
const run = promisify(execFile);

/** Black box: the built service (local model) and the built chat command, talking through PostgreSQL. */
describe('the chat command against the running service', () => {
  let db: TestDatabase;
  let service: ServiceProcess;
  const env = () => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: db.url });

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await ServiceProcess.start({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' });
    await service.waitUntilHealthy();
  });
  afterAll(async () => {
    await service?.stop();
    await db?.drop();
  });

  it('sends one text with --message and prints the Bouncer’s committed reply', async () => {
    const phone = nextPhone();
    const { stdout } = await run(process.execPath, [CHAT, '--phone', phone, '--message', 'hi'], { env: env() });
    expect(stdout).toBe('bouncer> Hey, I’m the bouncer here. Who told you about this?\n');
    const users = await db.pool.query(`SELECT poc_agent_type FROM users WHERE phone_number = $1`, [phone]);
    expect(users.rows).toEqual([{ poc_agent_type: 'bouncer' }]);
  });

  it('holds a whole onboarding conversation in interactive mode, up to the verification request', async () => {
    const phone = nextPhone();
    const child = spawn(process.execPath, [CHAT, '--phone', phone], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const replies = () => output.split('\n').filter((line) => line.includes('bouncer> '));
    const say = async (text: string, answers: number) => {
      child.stdin.write(`${text}\n`);
      while (replies().length < answers) await once(child.stdout, 'data');
    };

    await say('hi', 1);
    await say('Sarah Chen told me about it', 2);
    await say('Jane Doe', 3);
    await say('VP of Sales at Acme Corp', 4);
    child.stdin.end();
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(code).toBe(0);
    const { rows } = await db.pool.query(
      `SELECT id, first_name, last_name, company, title, name_dropped, verified FROM users WHERE phone_number = $1`,
      [phone],
    );
    expect(rows[0]).toMatchObject({
      first_name: 'Jane',
      last_name: 'Doe',
      company: 'Acme Corp',
      title: 'VP of Sales',
      name_dropped: 'Sarah Chen',
      verified: false,
    });
    const lines = replies();
    expect(lines[1]).toContain('What’s your name?');
    expect(lines[2]).toContain('Where do you work');
    expect(lines[3]).toContain(`verify-${rows[0].id as string}@verify.yachtparty.xyz`);
  });

  it('refuses a malformed phone number with a usage message', async () => {
    const failure = await run(process.execPath, [CHAT, '--phone', '555'], { env: env() }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('usage: npm run chat');
  });

  it('shows the seeded innovator their intro progress from real rows', async () => {
    const seeded = await seedInnovatorDemo(db.pool);
    const { stdout } = await run(
      process.execPath,
      [CHAT, '--phone', seeded.phone, '--message', 'how are my intros going?'],
      {
        env: env(),
      },
    );
    const lines = stdout.trim().split('\n');
    expect(lines.every((line) => line.startsWith('innovator> '))).toBe(true);
    for (const sentence of [
      '3 intros in flight.',
      'Jordan Blake (Initech): a connector agreed and is arranging it.',
      'Riley Stone (Umbrella Bank): a connector has been asked.',
      'Casey Moore (Globex Credit Union): offered to you, waiting for your yes or no.',
    ]) {
      expect(stdout).toContain(sentence);
    }
  });
});
