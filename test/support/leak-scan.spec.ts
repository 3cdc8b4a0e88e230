import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database';
import { scanForLeaks, type Needle } from './leak-scan';
import { insertInbound, seedUser } from './seed';

const NEEDLES: Needle[] = [
  { kind: 'secret', name: 'API key', value: 'sk-ant-scan-0123456789abcdef' },
  { kind: 'body', name: 'text', value: 'Sarah "Sal" Chen told me' },
];

describe('scanForLeaks', () => {
  let db: TestDatabase;
  const logDir = mkdtempSync(join(tmpdir(), 'rp-leak-scan-'));
  const log = (name: string, lines: unknown[]) => {
    const file = join(logDir, name);
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
    return file;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('finds nothing in clean logs and clean stored errors', async () => {
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['Sarah "Sal" Chen told me']);
    await db.pool.query(`UPDATE messages SET last_error = 'Anthropic API answered 529: Overloaded' WHERE id = $1`, [
      id,
    ]);
    const file = log('clean.log', [{ event: 'message_retry', err: { message: 'Anthropic API answered 529' } }]);

    const scan = await scanForLeaks([file], db.pool, NEEDLES);
    expect(scan.leaks).toEqual([]);
    expect(scan.logLines).toBe(1);
    expect(scan.storedErrors).toBe(1);
  });

  it('finds a secret or a body in a log line (also JSON-escaped, any case) and in every kind of stored error', async () => {
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['x']);
    await db.pool.query(
      `UPDATE messages SET last_error = 'invalid x-api-key sk-ant-scan-0123456789abcdef' WHERE id = $1`,
      [id],
    );
    await db.pool.query(
      `INSERT INTO agent_actions_log (agent_type, action_type, error) VALUES ('bouncer', 'x', 'said: SARAH "SAL" CHEN TOLD ME')`,
    );
    const file = log('leaky.log', [
      { event: 'tone_enforced', fragment: 'Sarah "Sal" Chen told me' },
      { event: 'boot', url: 'https://x/?key=sk-ant-scan-0123456789abcdef' },
    ]);

    const scan = await scanForLeaks([file], db.pool, NEEDLES);
    expect(scan.leaks).toEqual(
      expect.arrayContaining([
        { needle: 'body: text', where: 'log leaky.log', count: 1 },
        { needle: 'secret: API key', where: 'log leaky.log', count: 1 },
        { needle: 'secret: API key', where: 'messages.last_error', count: 1 },
        { needle: 'body: text', where: 'agent_actions_log.error', count: 1 },
      ]),
    );
    expect(scan.leaks).toHaveLength(4);
  });
});
