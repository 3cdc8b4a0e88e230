// End to end: the built operator CLI (`node dist/cli/ops.main.js`) against a test database that a
// running service (black-box, Anthropic stand-in) works on.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FALLBACK_REPLY } from '../../src/routing/turn.repository';
import type { AnthropicStandIn, ScriptedReply } from '../support/anthropic-stand-in';
import { healthyModel, startBlackBox } from '../support/black-box';
import type { TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent, insertInbound, seedUser } from '../support/seed';
import type { ServiceProcess } from '../support/service-process';

const OPS = join(__dirname, '..', '..', 'dist', 'cli', 'ops.main.js');
const SECRET_TEXT = 'my bank pin is 4321';

// Fails each text on its own (a 401 would hold texts rather than kill them).
const brokenModel = (): ScriptedReply => ({ kind: 'error', status: 400, message: 'invalid request' });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('ops CLI (end to end)', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let service: ServiceProcess;
  let close: (() => Promise<void>) | undefined;
  const cwd = mkdtempSync(join(tmpdir(), 'rp-ops-'));

  const ops = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [OPS, ...args],
        { cwd, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: db.url }, timeout: 120_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const opsJson = async <T>(...args: string[]): Promise<T> => {
    const run = await ops('--json', ...args);
    if (run.code !== 0) throw new Error(`ops ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  };
  const message = async (id: string) =>
    (await db.pool.query(`SELECT processing_state, attempts FROM messages WHERE id = $1`, [id])).rows[0];
  const event = async (id: string) =>
    (
      await db.pool.query<{ processing_state: string; attempts: number; processed_at: Date }>(
        `SELECT processing_state, attempts, processed_at FROM events WHERE id = $1`,
        [id],
      )
    ).rows[0];
  const replies = async (id: string) =>
    (
      await db.pool.query(
        `SELECT content, sequence_index FROM messages WHERE reply_to_message_id = $1 ORDER BY sequence_index`,
        [id],
      )
    ).rows;
  const logRows = async (actionType: string) =>
    (
      await db.pool.query(
        `SELECT agent_type, input_data FROM agent_actions_log WHERE action_type = $1 ORDER BY created_at`,
        [actionType],
      )
    ).rows as { agent_type: string; input_data: Record<string, unknown> }[];
  /** When the event last finished: each run of its handler moves it forward. */
  const finishedAt = async (id: string) => (await event(id)).processed_at.getTime();

  beforeAll(async () => {
    ({ db, model, service, close } = await startBlackBox({ RETRY_BASE_DELAY_MS: '50', MAX_ATTEMPTS: '2' }));
  });

  afterAll(async () => {
    await close?.();
  });

  describe('arguments', () => {
    it('--help lists every command and exits 0', async () => {
      const run = await ops('--help');
      expect(run.code).toBe(0);
      for (const command of ['status', 'dead', 'replay', 'seed', 'migrate']) expect(run.stdout).toContain(command);
      const dead = await ops('dead', '--help');
      expect(dead.stdout).toMatch(/list[\s\S]*show[\s\S]*requeue/);
    });

    it.each([
      [['frob'], /unknown command 'frob'/],
      [['dead', 'show', 'not-an-id'], /not an id \(a UUID\): not-an-id/],
      [['dead', 'list', '--kind', 'letters'], /Allowed choices are message, event, all/],
      [['dead', 'list', '--limit', '0'], /expected a whole number from 1 to 1000, got 0/],
      [['dead', 'requeue'], /missing required argument 'ids'/],
      [['replay'], /name the events: --event <id>/],
      [
        ['replay', '--type', 'x', '--since', '2026-01-01T00:00:00Z'],
        /a range needs all of --type, --since and --until/,
      ],
      [['replay', '--type', 'x', '--since', 'yesterday', '--until', '2026-01-01T00:00:00Z'], /not an ISO 8601 time/],
      [
        ['replay', '--type', 'x', '--since', '2026-02-01T00:00:00Z', '--until', '2026-01-01T00:00:00Z'],
        /--since must be before --until/,
      ],
      [['status', '--health-url', 'ftp://example.com'], /not an http\(s\) URL/],
      [['seed'], /say which data set: --demo/],
      [['seed', '--demo', '--phone', '555-0100'], /--phone must be E\.164/],
    ])('ops %j exits 2 with a clear message', async (args, message) => {
      const run = await ops(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    });

    it('an unreachable database is a clear error with exit 1, and the password is not printed', async () => {
      const run = await new Promise<Run>((resolve) =>
        execFile(
          process.execPath,
          [OPS, 'dead', 'list'],
          {
            cwd,
            env: {
              PATH: process.env.PATH ?? '',
              NODE_ENV: 'test',
              DATABASE_URL: 'postgres://ops:s3cret-Passw0rd@127.0.0.1:1/none',
            },
          },
          (error, stdout, stderr) => resolve({ code: (error?.code as number) ?? 0, stdout, stderr }),
        ),
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/ops: cannot reach the database: .*ECONNREFUSED/);
      expect(run.stderr).not.toContain('s3cret-Passw0rd');
    });
  });

  it('migrate applies nothing to an up-to-date database, as a table and as JSON', async () => {
    expect((await ops('migrate')).stdout).toBe('the schema is up to date\n');
    expect(await opsJson('migrate')).toEqual({ applied: [] });
  });

  it('a dead text: listed and shown without its content, requeued once with attempts reset, never a second fallback', async () => {
    model.setResponder(brokenModel);
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, [SECRET_TEXT]);
    await expectEventually(async () => expect((await message(id)).processing_state).toBe('dead'));
    expect(await replies(id)).toEqual([{ content: FALLBACK_REPLY, sequence_index: 0 }]);

    const listed = await opsJson<{ id: string; kind: string; attempts: number; error: string }[]>(
      'dead',
      'list',
      '--kind',
      'message',
    );
    expect(listed).toEqual([expect.objectContaining({ id, kind: 'message', attempts: 2 })]);
    expect(listed[0].error).toMatch(/400/);
    const table = await ops('dead', 'list');
    expect(table.stdout).toMatch(/died_at\s+kind\s+id\s+type\s+attempts\s+error/);
    expect(table.stdout).toContain(id);
    const shown = await opsJson<Record<string, unknown>>('dead', 'show', id);
    expect(shown).toMatchObject({ id, kind: 'message', user_id: user.userId, fallback_sent: true });
    for (const output of [table.stdout, JSON.stringify(shown), (await ops('dead', 'show', id)).stdout]) {
      expect(output).not.toContain(SECRET_TEXT);
    }

    // Still broken: requeued, it dies again, and the user is not told twice.
    expect(await opsJson('dead', 'requeue', id, '--by', 'alice')).toEqual([
      { id, kind: 'message', result: 'requeued' },
    ]);
    await expectEventually(async () =>
      expect(await message(id)).toMatchObject({ processing_state: 'dead', attempts: 2 }),
    );
    expect(await replies(id)).toEqual([{ content: FALLBACK_REPLY, sequence_index: 0 }]);

    // Fixed: requeued, it is answered after the fallback.
    model.setResponder(healthyModel);
    expect(await opsJson('dead', 'requeue', id, '--by', 'bob')).toEqual([{ id, kind: 'message', result: 'requeued' }]);
    await expectEventually(async () =>
      expect(await message(id)).toMatchObject({ processing_state: 'done', attempts: 1 }),
    );
    expect(await replies(id)).toEqual([
      { content: FALLBACK_REPLY, sequence_index: 0 },
      { content: 'Who told you about us?', sequence_index: 1 },
    ]);
    const requeues = (await logRows('dead_requeued')).filter((row) => row.input_data.id === id);
    expect(requeues.map((row) => [row.agent_type, row.input_data.requested_by])).toEqual([
      ['operator', 'alice'],
      ['operator', 'bob'],
    ]);

    // Not dead any more: a second requeue is a reported no-op; an unknown id fails the command.
    expect(await opsJson('dead', 'requeue', id)).toEqual([{ id, kind: 'message', result: 'not_dead' }]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const missing = await ops('dead', 'requeue', unknown);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(new RegExp(`${unknown}\\s+not_found`));
  });

  it('a dead event: shown with its payload keys only, requeued, and dead again while still malformed', async () => {
    // A handled type (system.ping, the bus probe) with a payload that is not an object.
    const id = await insertEvent(db.pool, 'system.ping', ['not', 'an', 'object']);
    await expectEventually(async () => expect((await event(id)).processing_state).toBe('dead'));
    expect(await opsJson('dead', 'show', id)).toMatchObject({
      id,
      kind: 'event',
      type: 'system.ping',
      payload_keys: [],
      error: expect.stringMatching(/malformed event: payload is not a JSON object/),
    });
    expect(await opsJson('dead', 'requeue', id)).toEqual([{ id, kind: 'event', result: 'requeued' }]);
    await expectEventually(async () =>
      expect(await event(id)).toMatchObject({ processing_state: 'dead', attempts: 1 }),
    );
    const missing = await ops('dead', 'show', '00000000-0000-4000-8000-000000000001');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no dead message or event with id/);
  });

  it('replay by id: the dry run changes nothing; the replay runs the event once more, logged with who asked; repeating it does nothing', async () => {
    const type = 'system.ping';
    const id = await insertEvent(db.pool, type, { note: 'x' });
    await expectEventually(async () => expect((await event(id)).processing_state).toBe('done'));
    const firstRun = await event(id);

    const dry = await ops('replay', '--event', id, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`${id}\\s+${type}\\s+done.*would replay`));
    expect(dry.stdout).toMatch(/dry run: 1 event\(s\) would be replayed under key replay:/);
    expect(await event(id)).toEqual(firstRun);
    expect(await logRows('event_replay')).toEqual([]);

    const replayed = await opsJson<{ state: string; key: string; replayed: string[] }>(
      'replay',
      '--event',
      id,
      '--by',
      'carol',
    );
    expect(replayed).toMatchObject({ state: 'replayed', replayed: [id] });
    await expectEventually(async () =>
      expect(await event(id)).toMatchObject({ processing_state: 'done', attempts: 1 }),
    );
    const secondRun = await event(id);
    expect(secondRun.processed_at.getTime()).toBeGreaterThan(firstRun.processed_at.getTime());
    expect(await logRows('event_replay')).toEqual([
      {
        agent_type: 'operator',
        input_data: { key: replayed.key, requested_by: 'carol', event_ids: [id], selection: { event_ids: [id] } },
      },
    ]);

    // The same replay again (a retried script): nothing happens.
    const again = await opsJson<{ state: string }>('replay', '--event', id);
    expect(again).toMatchObject({ state: 'already_replayed', key: replayed.key, replayed: [] });
    expect(await event(id)).toEqual(secondRun);
    expect(await logRows('event_replay')).toHaveLength(1);

    // On purpose, under a new key: it runs once more.
    expect(await opsJson('replay', '--event', id, '--key', 'second look')).toMatchObject({ state: 'replayed' });
    await expectEventually(async () => expect(await finishedAt(id)).toBeGreaterThan(secondRun.processed_at.getTime()));
    expect(await logRows('event_replay')).toHaveLength(2);
  });

  it('two operators replaying the same events at once replay them once', async () => {
    const type = 'system.ping';
    const id = await insertEvent(db.pool, type, { note: 'y' });
    await expectEventually(async () => expect((await event(id)).processing_state).toBe('done'));
    const firstRun = await finishedAt(id);
    const before = (await logRows('event_replay')).length;

    const results = await Promise.all([
      opsJson<{ state: string }>('replay', '--event', id, '--by', 'dave'),
      opsJson<{ state: string }>('replay', '--event', id, '--by', 'erin'),
    ]);
    const states = results.map((result) => result.state).sort();
    expect(states[1]).toBe('replayed');
    expect(['already_replayed', 'nothing_to_replay']).toContain(states[0]);
    expect(await logRows('event_replay')).toHaveLength(before + 1);
    await expectEventually(async () => expect(await finishedAt(id)).toBeGreaterThan(firstRun));
    expect(await event(id)).toMatchObject({ processing_state: 'done', attempts: 1 });
  });

  it('replay by type and time range: only finished events of the type inside the range, and never more than --limit', async () => {
    const type = 'system.ping';
    const ids: string[] = [];
    for (const minutesAgo of [50, 40, 30, 5]) {
      const id = await insertEvent(db.pool, type, { minutesAgo });
      await db.pool.query(`UPDATE events SET created_at = now() - $2 * interval '1 minute' WHERE id = $1`, [
        id,
        minutesAgo,
      ]);
      ids.push(id);
    }
    await expectEventually(async () => {
      for (const id of ids) expect((await event(id)).processing_state).toBe('done');
    });
    const before = await Promise.all(ids.map(finishedAt));
    const since = new Date(Date.now() - 60 * 60_000).toISOString();
    const until = new Date(Date.now() - 20 * 60_000).toISOString();

    const dry = await opsJson<{ dryRun: boolean; replayable: { id: string }[] }>(
      'replay',
      '--type',
      type,
      '--since',
      since,
      '--until',
      until,
      '--dry-run',
    );
    expect(dry.dryRun).toBe(true);
    expect(dry.replayable.map((candidate) => candidate.id)).toEqual(ids.slice(0, 3));

    const tooMany = await ops('replay', '--type', type, '--since', since, '--until', until, '--limit', '2');
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/more than 2 events match/);

    const replayed = await opsJson<{ replayed: string[] }>(
      'replay',
      '--type',
      type,
      '--since',
      since,
      '--until',
      until,
    );
    expect([...replayed.replayed].sort()).toEqual(ids.slice(0, 3).sort());
    await expectEventually(async () => {
      for (const [i, id] of ids.slice(0, 3).entries()) expect(await finishedAt(id)).toBeGreaterThan(before[i]);
    });
    expect(await finishedAt(ids[3])).toBe(before[3]);
  });

  it('status: instances from their /health, backlog, dead counts, queue lanes and the last failures', async () => {
    const status = await opsJson<{
      instances: { url: string; status: string; 'user-messages': string }[];
      backlog: { pending: Record<string, number>; dead: Record<string, number>; queueDepth: Record<string, number> };
      failures: { kind: string; error: string }[];
    }>('status', '--health-url', `${service.url}/health`);
    expect(status.instances).toEqual([
      expect.objectContaining({ url: `${service.url}/health`, status: 'healthy', 'user-messages': 'connected' }),
    ]);
    expect(status.backlog.dead).toEqual({ message: 0, event: 1 });
    expect(status.backlog.queueDepth).toEqual({ urgent: 0, high: 0, medium: 0, low: 0 });
    expect(status.failures.length).toBeGreaterThanOrEqual(1);
    expect(status.failures[0]).toMatchObject({ kind: 'event', error: expect.stringMatching(/malformed/) });

    const table = await ops('status', '--health-url', `${service.url}/health`);
    expect(table.code).toBe(0);
    for (const heading of ['Instances', 'Backlog', 'Queue depth by lane', 'Last 10 failures']) {
      expect(table.stdout).toContain(heading);
    }
    expect(table.stdout).toMatch(/message\s+0\s+0\s+0/);

    // An instance that does not answer is shown as such and fails the command.
    const down = await ops('status', '--health-url', 'http://127.0.0.1:1/health');
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/unreachable/);
  });

  it('seed --demo creates the demo member, idempotently', async () => {
    const first = await opsJson<{ memberId: string; phone: string }>('seed', '--demo', '--phone', '+15550100177');
    const second = await opsJson<{ memberId: string; phone: string }>('seed', '--demo', '--phone', '+15550100177');
    expect(second.phone).toBe('+15550100177');
    const members = await db.pool.query(`SELECT id, verified, poc_agent_type FROM users WHERE phone_number = $1`, [
      '+15550100177',
    ]);
    expect(members.rows).toEqual([{ id: second.memberId, verified: true, poc_agent_type: 'concierge' }]);
    expect(first.memberId).toEqual(expect.any(String));
    const table = await ops('seed', '--demo', '--phone', '+15550100177');
    expect(table.stdout).toContain('Try: npm run chat -- --phone +15550100177');
  });
});
