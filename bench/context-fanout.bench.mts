/**
 * The Concierge's context fan-out against the query pool: `MAX_CONCURRENCY` member turns in flight
 * at once, each loading the context of a member with realistic rows (priorities, intros, offers,
 * requests, nudges, 24 messages of history: test/support/member-context-seed.ts), through the real
 * Anthropic SDK against the stand-in with the Sonnet-class latency profile, with short leases so
 * renewals run during every model call. Two service instances, each on its own database:
 * CONCIERGE_CONTEXT_READS=parallel (one statement per read, all at once: the reference) and `one_statement`.
 * They take turns in time slices (A B B A), so a busy stretch of this shared machine hits both.
 *
 * Per mode: reply latency (inbound row committed → first reply row committed, a trigger NOTIFYs
 * the benchmark), context load time and the pool's time-to-acquire by purpose, measured inside
 * the service by bench/lib/pool-profile.js.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seedMemberContext } from '../test/support/member-context-seed.ts';
import type { SeededUser } from '../test/support/seed.ts';
import { createDatabase } from './lib/postgres.mts';
import { ScriptedModel } from './lib/scripted-model.mts';
import { BenchService } from './lib/service.mts';
import { checkMeasured, decide, type ContextModeFigures } from './lib/context-decision.ts';
import { percentiles, round } from './lib/stats.mts';

/** Each slice runs this long; slices go A B B A. */
const SLICE_MS = 20_000;
/** Renewals every third of it: two to five per Sonnet-class turn. */
const LEASE_MS = 1500;
const MODEL = 'claude-sonnet-5-5';
const UNANSWERED_AFTER_MS = 60_000;

export const CONTEXT_MODES = [
  { name: 'parallel', reference: true },
  { name: 'one_statement', reference: false },
] as const;
type ModeName = (typeof CONTEXT_MODES)[number]['name'];

export type ContextModeResult = ContextModeFigures;

export interface ContextFanoutResult {
  turnsInFlight: number;
  poolSize: number;
  leaseMs: number;
  sliceSeconds: number;
  model: string;
  modes: ContextModeResult[];
  decision: { rule: string; pays: boolean; why: string };
}

interface PoolProfile {
  waits: Record<keyof ContextModeResult['acquireMs'], number[]>;
  contextLoadMs: number[];
  contextStatements: number;
  maxWaiting: number;
  maxTotal: number;
}

/** One mode's service, database, stand-in, reply listener and seeded members. */
class Rig {
  private readonly replied = new Map<string, () => void>();
  readonly latencies: number[] = [];
  unanswered = 0;
  private next = 0;

  private constructor(
    readonly mode: ModeName,
    private readonly pool: pg.Pool,
    private readonly listener: pg.Client,
    private readonly model: ScriptedModel,
    private readonly service: BenchService,
    readonly profileFile: string,
    private readonly members: SeededUser[],
  ) {
    listener.on('notification', ({ payload }) => payload && this.replied.get(payload)?.());
  }

  static async start(
    serverUrl: string,
    mode: ModeName,
    index: number,
    env: Record<string, string>,
    members: number,
  ): Promise<Rig> {
    const url = await createDatabase(serverUrl, `bench_context_${mode}`, true);
    const pool = new pg.Pool({ connectionString: url, max: 12 });
    pool.on('error', () => undefined);
    await pool.query(`
      CREATE OR REPLACE FUNCTION bench_reply_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('bench_reply', NEW.reply_to_message_id::text); RETURN NULL; END $$;
      CREATE TRIGGER bench_reply_notify AFTER INSERT ON messages FOR EACH ROW
        WHEN (NEW.direction = 'outbound' AND NEW.sequence_index = 0) EXECUTE FUNCTION bench_reply_notify();`);
    const seeded = await seedMembers(pool, members, index);
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    await listener.query('LISTEN bench_reply');
    const model = await ScriptedModel.start({ latency: 'model', seed: 11 + index });
    const profileFile = join(mkdtempSync(join(tmpdir(), 'rp-context-')), 'pool.json');
    const service = await BenchService.start(
      {
        ...env,
        DATABASE_URL: url,
        ANTHROPIC_API_KEY: 'bench-key',
        ANTHROPIC_BASE_URL: model.standIn.baseURL,
        ANTHROPIC_MODEL: MODEL,
        CLAIM_LEASE_MS: String(LEASE_MS),
        CONCIERGE_CONTEXT_READS: mode,
      },
      undefined,
      profileFile,
    );
    await service.waitConnected();
    return new Rig(mode, pool, listener, model, service, profileFile, seeded);
  }

  /** One text from the next unused member; waits for the reply. */
  async turn(): Promise<void> {
    // Members take turns in order; a member's second turn finds two more messages of history.
    const member = this.members[this.next % this.members.length];
    this.next += 1;
    let id = '';
    let committedAt = 0;
    const client = await this.pool.connect();
    try {
      const repliedAt = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => resolve(NaN), UNANSWERED_AFTER_MS);
        void (async () => {
          await client.query('BEGIN');
          const { rows } = await client.query<{ id: string }>(
            `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
             VALUES ($1, $2, 'user', 'any news on the intro to Maya?', 'inbound', 'delivered', clock_timestamp())
             RETURNING id`,
            [member.conversationId, member.userId],
          );
          id = rows[0].id;
          this.replied.set(id, () => {
            clearTimeout(timer);
            resolve(performance.now());
          });
          committedAt = performance.now();
          await client.query('COMMIT');
        })().catch(reject);
      });
      if (Number.isFinite(repliedAt)) this.latencies.push(repliedAt - committedAt);
      else this.unanswered += 1;
    } finally {
      client.release();
      this.replied.delete(id);
    }
  }

  async stop(): Promise<PoolProfile> {
    await this.service.stop();
    await this.model.standIn.stop();
    await this.listener.end();
    await this.pool.end();
    return JSON.parse(readFileSync(this.profileFile, 'utf8')) as PoolProfile;
  }
}

/** Members with a busy member's rows, each the other's peer in pairs. */
async function seedMembers(pool: pg.Pool, count: number, index: number): Promise<SeededUser[]> {
  const { rows } = await pool.query<{ user_id: string; id: string; phone_number: string }>(
    `WITH u AS (
       INSERT INTO users (phone_number, verified, poc_agent_type, first_name)
       SELECT '+1777' || $2 || lpad(g::text, 6, '0'), true, 'concierge', 'Member' || g FROM generate_series(1, $1) g
       RETURNING id, phone_number)
     INSERT INTO conversations (user_id, phone_number, status) SELECT id, phone_number, 'active' FROM u
     RETURNING user_id, id, phone_number`,
    [count, String(index)],
  );
  const members = rows.map((r) => ({ userId: r.user_id, conversationId: r.id, phone: r.phone_number }));
  for (const [i, member] of members.entries())
    await seedMemberContext(pool, member, members[i % 2 === 0 ? i + 1 : i - 1] ?? members[0]);
  return members;
}

/** `inFlight` workers, each sending a text and waiting for its reply, until the slice ends. */
async function slice(rig: Rig, inFlight: number): Promise<void> {
  const endsAt = Date.now() + SLICE_MS;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < endsAt) await rig.turn();
    }),
  );
}

export async function benchContextFanout(
  serverUrl: string,
  env: Record<string, string>,
  inFlight: number,
): Promise<ContextFanoutResult> {
  // About one turn per member per mode: Sonnet-class turns take a few seconds each.
  const members = Math.ceil((SLICE_MS * 2 * inFlight) / 2000);
  const rigs: Rig[] = [];
  const profiles = new Map<ModeName, PoolProfile>();
  try {
    for (const [index, mode] of CONTEXT_MODES.entries())
      rigs.push(await Rig.start(serverUrl, mode.name, index, env, members));
    const [a, b] = rigs;
    for (const rig of [a, b, b, a]) await slice(rig, inFlight);
  } finally {
    for (const rig of rigs) profiles.set(rig.mode, await rig.stop());
  }
  const modes = rigs.map((rig): ContextModeResult => {
    const profile = profiles.get(rig.mode)!;
    const turns = rig.latencies.length + rig.unanswered;
    return {
      mode: rig.mode,
      reference: CONTEXT_MODES.find((m) => m.name === rig.mode)!.reference,
      turns,
      unanswered: rig.unanswered,
      replyLatencyMs: percentiles(rig.latencies),
      contextLoadMs: percentiles(profile.contextLoadMs),
      contextStatementsPerTurn: round(profile.contextStatements / Math.max(1, profile.contextLoadMs.length), 2),
      acquireMs: {
        context: percentiles(profile.waits.context),
        renewal: percentiles(profile.waits.renewal),
        transaction: percentiles(profile.waits.transaction),
        query: percentiles(profile.waits.query),
      },
      maxWaiting: profile.maxWaiting,
      maxConnections: profile.maxTotal,
    };
  });
  checkMeasured(modes);
  return {
    turnsInFlight: inFlight,
    poolSize: Number(env.MAX_CONCURRENCY ?? 8) + 4,
    leaseMs: LEASE_MS,
    sliceSeconds: SLICE_MS / 1000,
    model: MODEL,
    modes,
    decision: decide(modes),
  };
}

// `node bench/context-fanout.bench.mts` runs it alone (after `npm run build`) and prints JSON.
if (process.argv[1] === import.meta.filename) {
  const { startPostgres } = await import('./lib/postgres.mts');
  const postgres = await startPostgres();
  try {
    const result = await benchContextFanout(
      postgres.serverUrl,
      { REALTIME_SOURCE: 'postgres', MAX_CONCURRENCY: '8' },
      8,
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await postgres.stop();
  }
}
