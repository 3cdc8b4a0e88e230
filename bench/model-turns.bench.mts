/**
 * Model time: Bouncer and Concierge turns through the real Anthropic SDK against the stand-in,
 * which answers with the default latency profile of the configured model (Sonnet-class: see
 * SONNET_CLASS_LATENCY in test/support/anthropic-stand-in.ts for the figures and their sources).
 *
 * Every pipeline mode runs as its own service instance on its own database with its own stand-in
 * (so their prompt caches do not mix), in the same run, with samples interleaved across modes so
 * a busy moment of this shared machine lands on all of them alike. Per turn:
 * - latency: inbound row committed → first reply row committed (a trigger NOTIFYs the benchmark);
 * - model round trips: the stand-in's requests for this turn (found by a marker in the user's
 *   text), counted as sequential waves: a request that starts before the previous one has been
 *   answered runs in parallel with it and does not add a round trip;
 * - cache share: over a 10-turn conversation of one user, input tokens read from the prompt
 *   cache ÷ all input tokens (read + written + uncached), per turn.
 */
import pg from 'pg';
import { SONNET_CLASS_LATENCY, modelProfile, type RecordedRequest } from '../test/support/anthropic-stand-in.ts';
import { createDatabase } from './lib/postgres.mts';
import { ScriptedModel } from './lib/scripted-model.mts';
import { BenchService } from './lib/service.mts';
import { percentiles, round } from './lib/stats.mts';

export const MODEL_TURN_SAMPLES = 30;
export const CONVERSATION_TURNS = 10;
/** Turns in flight at once over all modes and agents: enough to finish in minutes, far below capacity. */
const IN_FLIGHT = 6;
const MODEL = 'claude-sonnet-5-5';
const UNANSWERED_AFTER_MS = 180_000;

export type AgentKind = 'bouncer' | 'concierge';
const AGENTS: AgentKind[] = ['bouncer', 'concierge'];

export interface PipelineMode {
  /** Shown in the report. */
  name: string;
  /** The service settings that select it. */
  env: Record<string, string>;
  /** The two-call pipeline the others are compared with. */
  reference: boolean;
}

export interface AgentTurns {
  /** Inbound row committed → first reply row committed (ms). */
  latencyMs: ReturnType<typeof percentiles>;
  /** Sequential model round trips per turn. */
  roundTrips: { p50: number; max: number; mean: number };
  modelCallsPerTurn: number;
  /** Calls the client gave up on before the answer came (its per-attempt timeout): retried or failed. */
  abandonedCalls: number;
  /** Turns that were not answered by their first attempt (an engine retry ran). */
  retriedTurns: number;
  /** Turns with no reply within UNANSWERED_AFTER_MS (left out of the latency figures). */
  unanswered: number;
  outputTokensPerCall: number;
}

export interface ModeResult {
  name: string;
  reference: boolean;
  agents: Record<AgentKind, AgentTurns>;
  /** Per agent: the share of input tokens read from cache in each turn of one 10-turn conversation (0–1). */
  conversation: Record<AgentKind, { perTurn: number[]; fromTurn2: number; roundTrips: number[] }>;
}

export interface ModelTurnsResult {
  model: string;
  profile: { timeToFirstTokenMs: number; timeToFirstTokenSigma: number; outputTokensPerSecond: number };
  minCacheableTokens: number;
  samplesPerAgent: number;
  modes: ModeResult[];
}

interface TurnRecord {
  latencyMs: number;
  requests: RecordedRequest[];
  /** Attempts the engine made (messages.attempts of the text). */
  attempts: number;
}

/** One mode's service, database, stand-in and reply listener. */
class Rig {
  private readonly replied = new Map<string, () => void>();
  private constructor(
    readonly mode: PipelineMode,
    private readonly pool: pg.Pool,
    private readonly listener: pg.Client,
    readonly model: ScriptedModel,
    private readonly service: BenchService,
  ) {
    listener.on('notification', ({ payload }) => payload && this.replied.get(payload)?.());
  }

  static async start(serverUrl: string, mode: PipelineMode, index: number, env: Record<string, string>): Promise<Rig> {
    const url = await createDatabase(serverUrl, `bench_model_turns_${index}`, true);
    const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT + 2 });
    // Idle clients cut when the benchmark stops PostgreSQL are not a failure.
    pool.on('error', () => undefined);
    await pool.query(`
      CREATE OR REPLACE FUNCTION bench_reply_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('bench_reply', NEW.reply_to_message_id::text); RETURN NULL; END $$;
      CREATE TRIGGER bench_reply_notify AFTER INSERT ON messages FOR EACH ROW
        WHEN (NEW.direction = 'outbound' AND NEW.sequence_index = 0) EXECUTE FUNCTION bench_reply_notify();`);
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    await listener.query('LISTEN bench_reply');
    const model = await ScriptedModel.start({ latency: 'model', seed: 1 + index });
    const service = await BenchService.start({
      ...env,
      DATABASE_URL: url,
      ANTHROPIC_API_KEY: 'bench-key',
      ANTHROPIC_BASE_URL: model.standIn.baseURL,
      ANTHROPIC_MODEL: MODEL,
      ...mode.env,
    });
    await service.waitConnected();
    return new Rig(mode, pool, listener, model, service);
  }

  async newUser(agent: AgentKind, n: number): Promise<{ userId: string; conversationId: string }> {
    const phone = `+1888${String(n).padStart(7, '0')}`;
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO users (phone_number, verified, poc_agent_type, first_name, last_name, company, title, email)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      agent === 'bouncer'
        ? [phone, false, 'bouncer', null, null, null, null, null]
        : [phone, true, 'concierge', 'Jane', 'Doe', 'Acme Robotics', 'CTO', `jane${n}@acme.example`],
    );
    const conversation = await this.pool.query<{ id: string }>(
      `INSERT INTO conversations (user_id, phone_number, status) VALUES ($1, $2, 'active') RETURNING id`,
      [rows[0].id, phone],
    );
    return { userId: rows[0].id, conversationId: conversation.rows[0].id };
  }

  /** One text, one turn: waits for the reply and returns its latency and the model requests it made. */
  async turn(user: { userId: string; conversationId: string }, text: string, marker: string): Promise<TurnRecord> {
    const client = await this.pool.connect();
    let id = '';
    let committedAt = 0;
    const replied = new Promise<number>((resolve, reject) => {
      // Failed attempts wait out the engine's retry backoff: give a turn minutes, then count it unanswered.
      const timer = setTimeout(() => resolve(NaN), UNANSWERED_AFTER_MS);
      const settle = () => {
        clearTimeout(timer);
        resolve(performance.now());
      };
      void (async () => {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
           VALUES ($1, $2, 'user', $3, 'inbound', 'delivered', clock_timestamp()) RETURNING id`,
          [user.conversationId, user.userId, `${text} (${marker})`],
        );
        id = rows[0].id;
        this.replied.set(id, settle);
        committedAt = performance.now();
        await client.query('COMMIT');
      })().catch(reject);
    });
    const repliedAt = await replied.finally(() => client.release());
    this.replied.delete(id);
    const requests = this.model.standIn.requests.filter((request) =>
      JSON.stringify(request.body).includes(`(${marker})`),
    );
    // Requests of later turns of the same conversation carry this marker in their history too.
    const own = requests.filter((request) => lastMarker(request) === marker);
    const { rows } = await this.pool.query<{ attempts: number }>(`SELECT attempts FROM messages WHERE id = $1`, [id]);
    return { latencyMs: repliedAt - committedAt, requests: own, attempts: rows[0]?.attempts ?? 1 };
  }

  async stop(): Promise<void> {
    await this.service.stop();
    await this.model.standIn.stop();
    await this.listener.end();
    await this.pool.end();
  }
}

const MARKER = /\((m\d+-[a-z]+-\d+(?:-\d+)?)\)/g;
/** The newest marker a request carries: the turn it belongs to. */
function lastMarker(request: RecordedRequest): string | undefined {
  return [...JSON.stringify(request.body).matchAll(MARKER)].at(-1)?.[1];
}

/** When a request stopped costing time: answered, or cut by the client (its timeout). */
const endOf = (request: RecordedRequest) => request.answeredAt ?? request.abandonedAt ?? request.receivedAt;

/** Sequential waves: a request that starts before the previous wave is answered joins it. */
function roundTrips(requests: RecordedRequest[]): number {
  let waves = 0;
  let waveEnds = -Infinity;
  for (const request of [...requests].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (request.receivedAt >= waveEnds) {
      waves += 1;
      waveEnds = endOf(request);
    } else waveEnds = Math.max(waveEnds, endOf(request));
  }
  return waves;
}

function cacheShare(requests: RecordedRequest[]): number {
  let read = 0;
  let total = 0;
  for (const { usage } of requests) {
    if (!usage) continue;
    read += usage.cache_read_input_tokens ?? 0;
    total += (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + usage.input_tokens;
  }
  return total === 0 ? 0 : read / total;
}

const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

const FIRST_TEXTS: Record<AgentKind, string> = {
  bouncer: 'hi, a friend told me to text this number',
  concierge: 'any update on the intro to someone in climate fintech?',
};
/** A 10-turn conversation per agent, in plain member phrasings. */
const CONVERSATIONS: Record<AgentKind, string[]> = {
  bouncer: [
    'hi, a friend told me to text this number',
    'Sarah Chen sent me',
    "I'm Jane Doe",
    'I work at Acme Robotics, CTO',
    'jane@acme.example',
    'what is this exactly?',
    'how much does it cost?',
    'ok sounds good',
    'I know a lot about warehouse robotics',
    'thanks!',
  ],
  concierge: [
    'any update on the intro to someone in climate fintech?',
    'I want to meet someone who sold a robotics company',
    'my goal this quarter is to hire a VP of sales',
    'I can introduce you to Tom at Northwind, he runs ops',
    'yes to the intro with Maria',
    'no thanks on the other one',
    'what do you know about my priorities?',
    'our fundraise closes in March',
    'who else should I talk to?',
    'thanks, talk soon',
  ],
};

export async function benchModelTurns(
  serverUrl: string,
  modes: PipelineMode[],
  env: Record<string, string>,
  samples = MODEL_TURN_SAMPLES,
): Promise<ModelTurnsResult> {
  const rigs: Rig[] = [];
  try {
    for (const [index, mode] of modes.entries()) rigs.push(await Rig.start(serverUrl, mode, index, env));
    const turns = new Map<string, TurnRecord[]>(); // `${mode}/${agent}` → turns
    let userNumber = 0;

    // 1. Independent turns, interleaved: sample i of every agent on every mode before sample i + 1.
    const work: Array<{ rig: Rig; agent: AgentKind; i: number }> = [];
    for (let i = 0; i < samples; i += 1)
      for (const agent of AGENTS) for (const rig of rigs) work.push({ rig, agent, i });
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let item = work.shift(); item; item = work.shift()) {
          const { rig, agent, i } = item;
          const user = await rig.newUser(agent, (userNumber += 1));
          const record = await rig.turn(user, FIRST_TEXTS[agent], `m${rigs.indexOf(rig)}-${agent}-${i}`);
          const key = `${rig.mode.name}/${agent}`;
          turns.set(key, [...(turns.get(key) ?? []), record]);
        }
      }),
    );

    // 2. One 10-turn conversation per agent and mode, all at once (each is sequential in itself).
    const conversations = new Map<string, { shares: number[]; trips: number[] }>();
    await Promise.all(
      rigs.flatMap((rig) =>
        AGENTS.map(async (agent) => {
          const user = await rig.newUser(agent, (userNumber += 1));
          const shares: number[] = [];
          const trips: number[] = [];
          for (const [t, text] of CONVERSATIONS[agent].slice(0, CONVERSATION_TURNS).entries()) {
            const record = await rig.turn(user, text, `m${rigs.indexOf(rig)}-${agent}-${1000 + t}`);
            shares.push(round(cacheShare(record.requests), 3));
            trips.push(roundTrips(record.requests));
          }
          conversations.set(`${rig.mode.name}/${agent}`, { shares, trips });
        }),
      ),
    );

    const modeResults: ModeResult[] = rigs.map((rig) => {
      const agents = {} as Record<AgentKind, AgentTurns>;
      const conversation = {} as ModeResult['conversation'];
      for (const agent of AGENTS) {
        const records = turns.get(`${rig.mode.name}/${agent}`) ?? [];
        const trips = records.map((record) => roundTrips(record.requests)).sort((a, b) => a - b);
        const calls = records.flatMap((record) => record.requests);
        agents[agent] = {
          latencyMs: percentiles(records.map((record) => record.latencyMs).filter(Number.isFinite)),
          unanswered: records.filter((record) => !Number.isFinite(record.latencyMs)).length,
          roundTrips: {
            p50: trips[Math.floor(trips.length / 2)] ?? NaN,
            max: trips.at(-1) ?? NaN,
            mean: round(mean(trips), 2),
          },
          modelCallsPerTurn: round(calls.length / Math.max(1, records.length), 2),
          abandonedCalls: calls.filter((call) => call.abandonedAt !== undefined).length,
          retriedTurns: records.filter((record) => record.attempts > 1).length,
          outputTokensPerCall: round(
            mean(calls.filter((call) => call.usage).map((call) => call.usage?.output_tokens ?? 0)),
            1,
          ),
        };
        const { shares = [], trips: conversationTrips = [] } = conversations.get(`${rig.mode.name}/${agent}`) ?? {};
        conversation[agent] = {
          perTurn: shares,
          fromTurn2: round(mean(shares.slice(1)), 3),
          roundTrips: conversationTrips,
        };
      }
      return { name: rig.mode.name, reference: rig.mode.reference, agents, conversation };
    });
    const profile = modelProfile(MODEL);
    return {
      model: MODEL,
      profile: { ...SONNET_CLASS_LATENCY, ...profile.latency },
      minCacheableTokens: profile.minCacheableTokens,
      samplesPerAgent: samples,
      modes: modeResults,
    };
  } finally {
    for (const rig of rigs) await rig.stop();
  }
}

// `node bench/model-turns.bench.mts [samples]` runs it alone (after `npm run build`) and prints JSON.
if (process.argv[1] === import.meta.filename) {
  const { startPostgres } = await import('./lib/postgres.mts');
  const postgres = await startPostgres();
  try {
    const modes: PipelineMode[] = [
      { name: 'one_call', env: { AGENT_PIPELINE: 'one_call' }, reference: false },
      { name: 'two_call', env: { AGENT_PIPELINE: 'two_call' }, reference: true },
    ];
    const result = await benchModelTurns(
      postgres.serverUrl,
      modes,
      { REALTIME_SOURCE: 'postgres' },
      Number(process.argv[2] ?? 10),
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await postgres.stop();
  }
}
