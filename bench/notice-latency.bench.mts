/**
 * Notice latency: how long after an inbound row is committed the change feed emits its wake-up,
 * for both feeds, next to bare clients of the same transports, in one run on one PostgreSQL.
 *
 * Method. The feed classes run in this process exactly as the service builds them: the compiled
 * `dist/realtime/*.js` (so `npm run build` first), constructed with their real options and a
 * SubscriptionRegistry, with a minimal stand-in for AppEventBus whose `emit` stamps
 * `performance.now()`. That is the moment the service hands the wake-up to Nest's EventEmitter2
 * (a synchronous call), so nothing is added to production code, no log line is parsed and no
 * clock is compared across processes. Each sample is one `INSERT` of an inbound message in its
 * own transaction; the clock starts when `COMMIT` is sent (the row cannot be noticed earlier,
 * and every listener is timed from the same instant), and stops when the listener sees the row.
 * `commitMs` (COMMIT sent → acknowledged) is reported for scale: a wake-up can arrive before the
 * inserting client hears its own commit.
 *
 * Listeners, all four connected at once and timed on the same rows in one phase, so the two
 * floors and the two feeds see the same moments of this shared machine (a phase per listener let
 * a busy minute land on one of them only):
 * - `bareListen`: a plain `pg` client LISTENing on the trigger's channel, the floor for LISTEN.
 * - `postgresFeed`: PostgresChangeFeed (LISTEN + payload validation + wake-up).
 * - `supabaseFeed`: SupabaseChangeFeed through the Realtime stand-in of test/support, fed by this
 *   database. The stand-in adds its own hop that real Supabase replaces with logical replication:
 *   its trigger's NOTIFY, its LISTEN connection, two queries to read the row and its column types,
 *   then a WebSocket push. Compare it with `bareSupabaseJs`, not with the LISTEN figures.
 * - `bareSupabaseJs`: a plain supabase-js channel with the same binding on the same stand-in, the
 *   floor for that path; the difference to `supabaseFeed` is the feed's own cost.
 * The four share one event loop, so a row's four arrivals are handled one after the other; which
 * listener goes first depends on which socket is read first, not on a fixed order.
 *
 * The stand-in is TypeScript with parameter properties, which Node's type stripping cannot run, so
 * it is compiled on load with @swc/core (a dev dependency, as the bench is).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import { createClient, REALTIME_SUBSCRIBE_STATES, type WebSocketLikeConstructor } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { createDatabase, startPostgres } from './lib/postgres.mts';
import { percentiles } from './lib/stats.mts';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

export const NOTICE_SAMPLES = 300;
const WAIT_MS = 10_000;
/** A service-role-shaped JWT; the stand-in does not verify it. */
const SERVICE_ROLE_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.bench-notice-latency';

type Percentiles = ReturnType<typeof percentiles>;
const LISTENERS = ['bareListen', 'postgresFeed', 'bareSupabaseJs', 'supabaseFeed'] as const;
type Listener = (typeof LISTENERS)[number];

export interface NoticeLatencyResult {
  samples: number;
  /** COMMIT sent → row seen by the listener (ms), p50/p95/p99/max, per listener (see the file header). */
  latencyMs: Record<Listener, Percentiles>;
  /** COMMIT sent → COMMIT acknowledged to the inserting client (ms). */
  commitMs: Percentiles;
}

// ---------------------------------------------------------------------------------------------
// The service's compiled classes and the test stand-in, loaded as CommonJS.

interface Feed {
  start(): Promise<void>;
  stop(): Promise<void>;
}
interface Registry {
  get(channel: string): { state: string };
}
interface Bus {
  emit(name: string, payload: Record<string, unknown>): void;
}
interface StandIn {
  url: string;
  stop(): Promise<void>;
}
type FeedClass<O> = new (options: O, registry: Registry, bus: Bus) => Feed;

const dist = (file: string) => require(join(ROOT, 'dist', 'realtime', file));
const { Logger } = require('@nestjs/common') as { Logger: { overrideLogger(levels: false): void } };
const { PostgresChangeFeed } = dist('postgres-change-feed.js') as { PostgresChangeFeed: FeedClass<unknown> };
const { SupabaseChangeFeed } = dist('supabase-change-feed.js') as { SupabaseChangeFeed: FeedClass<unknown> };
const { SubscriptionRegistry } = dist('subscription-registry.js') as { SubscriptionRegistry: new () => Registry };

function loadStandIn(): { start(options: { databaseUrl: string }): Promise<StandIn> } {
  const file = join(ROOT, 'test', 'support', 'realtime-stand-in.ts');
  const swc = require('@swc/core') as {
    transformFileSync(path: string, options: Record<string, unknown>): { code: string };
  };
  const { code } = swc.transformFileSync(file, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  const module = { exports: {} as Record<string, unknown> };
  // Evaluated the way Node wraps a CommonJS module, resolving its imports ('pg', 'ws') from its own directory.
  const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: file,
  }) as (...args: unknown[]) => void;
  wrapper(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports.RealtimeStandIn as { start(options: { databaseUrl: string }): Promise<StandIn> };
}

// ---------------------------------------------------------------------------------------------

/** When each listener saw each message id, and who is waiting for which. */
class Arrivals {
  private readonly seen = new Map<string, Map<Listener, number>>();
  private readonly waiters = new Map<string, () => void>();

  record(listener: Listener, id: unknown): void {
    if (typeof id !== 'string') return;
    const at = performance.now();
    const byListener = this.seen.get(id) ?? new Map<Listener, number>();
    if (!byListener.has(listener)) byListener.set(listener, at);
    this.seen.set(id, byListener);
    this.waiters.get(id)?.();
  }

  /** Resolves with the arrival times once every listener in `listeners` has seen `id`. */
  wait(id: string, listeners: Listener[]): Promise<Map<Listener, number>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const byListener = this.seen.get(id);
        if (!byListener || listeners.some((listener) => !byListener.has(listener))) return;
        clearTimeout(timer);
        this.waiters.delete(id);
        this.seen.delete(id);
        resolve(byListener);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`notice-latency: ${listeners.join(', ')} did not see message ${id} in ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.waiters.set(id, check);
      check();
    });
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`notice-latency: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A bus that stamps the moment a feed emits a wake-up for an inbound message. */
const stampingBus = (arrivals: Arrivals, listener: Listener): Bus => ({
  emit: (name, payload) => {
    if (name === 'inbound-message.noticed') arrivals.record(listener, payload.messageId);
  },
});

const connected = (registry: Registry) => () =>
  registry.get('user-messages').state === 'connected' && registry.get('agent-events').state === 'connected';

/** Rows per phase that are inserted and waited for but not recorded: connection setup and JIT. */
const WARM_UP = 150;

/**
 * `WARM_UP` then `samples` inbound rows, one transaction each, timed from COMMIT sent to each
 * listener's notice.
 */
async function sample(
  pool: pg.Pool,
  arrivals: Arrivals,
  listeners: Listener[],
  samples: number,
  into: Map<Listener, number[]>,
  commits: number[],
): Promise<void> {
  for (let i = -WARM_UP; i < samples; i += 1) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO messages (role, content, direction, status) VALUES ('user', 'bench', 'inbound', 'delivered') RETURNING id`,
      );
      const seen = arrivals.wait(rows[0].id, listeners);
      const sentAt = performance.now();
      await client.query('COMMIT');
      const committedAt = performance.now();
      const at = await seen;
      if (i < 0) continue;
      commits.push(committedAt - sentAt);
      for (const listener of listeners) into.get(listener)!.push(at.get(listener)! - sentAt);
    } finally {
      client.release();
    }
  }
}

export async function benchNoticeLatency(serverUrl: string, samples = NOTICE_SAMPLES): Promise<NoticeLatencyResult> {
  Logger.overrideLogger(false);
  const url = await createDatabase(serverUrl, 'bench_notice_latency', true);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // Idle clients cut when the benchmark stops PostgreSQL are not a failure.
  pool.on('error', () => undefined);
  const arrivals = new Arrivals();
  const latencies = new Map<Listener, number[]>(LISTENERS.map((name) => [name, []]));
  const commits: number[] = [];
  const reconnect = { minMs: 100, maxMs: 1000 };

  const listen = new pg.Client({ connectionString: url });
  await listen.connect();
  listen.on('notification', ({ payload }) => arrivals.record('bareListen', JSON.parse(payload ?? '{}').id));
  await listen.query('LISTEN inbound_messages');
  const standIn = await loadStandIn().start({ databaseUrl: url });
  try {
    // The postgres feed: LISTEN on its own connection, validation, wake-up.
    const pgRegistry = new SubscriptionRegistry();
    const postgresFeed = new PostgresChangeFeed(
      { url, probeIntervalMs: 5000, reconnect },
      pgRegistry,
      stampingBus(arrivals, 'postgresFeed'),
    );
    // The supabase feed through the stand-in.
    const sbRegistry = new SubscriptionRegistry();
    const supabaseFeed = new SupabaseChangeFeed(
      {
        url: standIn.url,
        serviceRoleKey: SERVICE_ROLE_KEY,
        heartbeatIntervalMs: 15_000,
        joinTimeoutMs: 10_000,
        reconnect,
      },
      sbRegistry,
      stampingBus(arrivals, 'supabaseFeed'),
    );
    // A bare supabase-js channel, same binding, same stand-in.
    const client = createClient(standIn.url, SERVICE_ROLE_KEY, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor },
    });
    let subscribed = false;
    client
      .channel('bench-notice-latency')
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'messages', filter: 'direction=eq.inbound' },
        (change) => arrivals.record('bareSupabaseJs', change.new.id),
      )
      .subscribe((status) => {
        if (status === REALTIME_SUBSCRIBE_STATES.SUBSCRIBED) subscribed = true;
      });
    await postgresFeed.start();
    await supabaseFeed.start();
    await waitFor(connected(pgRegistry), 'the postgres feed to LISTEN');
    await waitFor(connected(sbRegistry), 'the supabase feed to subscribe');
    await waitFor(() => subscribed, 'the bare supabase-js channel to subscribe');

    await sample(pool, arrivals, [...LISTENERS], samples, latencies, commits);

    await client.removeAllChannels();
    await supabaseFeed.stop();
    await postgresFeed.stop();
  } finally {
    await standIn.stop();
    await listen.end();
    await pool.end();
  }

  return {
    samples,
    latencyMs: {
      bareListen: percentiles(latencies.get('bareListen')!),
      postgresFeed: percentiles(latencies.get('postgresFeed')!),
      supabaseFeed: percentiles(latencies.get('supabaseFeed')!),
      bareSupabaseJs: percentiles(latencies.get('bareSupabaseJs')!),
    },
    commitMs: percentiles(commits),
  };
}

// `node bench/notice-latency.bench.mts` runs it alone (after `npm run build`) and prints JSON.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const postgres = await startPostgres();
  try {
    process.stdout.write(`${JSON.stringify(await benchNoticeLatency(postgres.serverUrl), null, 2)}\n`);
  } finally {
    await postgres.stop();
  }
  // supabase-js's disconnect leaves a 10 s timer behind; nothing else is pending.
  process.exit(0);
}
