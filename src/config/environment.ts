import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateIf,
  type ValidationError,
} from 'class-validator';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const REALTIME_SOURCES = ['supabase', 'postgres'] as const;
export type RealtimeSource = (typeof REALTIME_SOURCES)[number];

const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-5-5';
export const AGENT_PIPELINES = ['one_call', 'two_call'] as const;
export type AgentPipeline = (typeof AGENT_PIPELINES)[number];
export const CONCIERGE_CONTEXT_READS_MODES = ['one_statement', 'parallel'] as const;
export type ConciergeContextReads = (typeof CONCIERGE_CONTEXT_READS_MODES)[number];

/** Blank strings in .env files mean "not set", so `FOO=` falls back to the default. */
const blankToUndefined = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : value));
const toInt = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    if (value.trim() === '') return undefined;
    return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  });

/** `true` and `false` only: a typo must not silently mean either. */
const toBoolean = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
    return value;
  });

const isProduction = (env: Environment) => env.NODE_ENV === 'production';

/**
 * Every setting of the service, validated once at boot. Defaults are the embedded, offline
 * development setup; `NODE_ENV=production` requires the real database and model.
 */
export class Environment {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @toInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8080;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @blankToUndefined()
  @ValidateIf((env: Environment) => isProduction(env) || env.DATABASE_URL !== undefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// connection URL (required in production)',
  })
  DATABASE_URL?: string;

  @blankToUndefined()
  @IsOptional()
  @IsIn(REALTIME_SOURCES)
  REALTIME_SOURCE?: RealtimeSource;

  @blankToUndefined()
  @ValidateIf((env: Environment) => env.REALTIME_SOURCE === 'supabase' || env.SUPABASE_URL !== undefined)
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'SUPABASE_URL must be an http(s) URL' })
  SUPABASE_URL?: string;

  @blankToUndefined()
  @ValidateIf((env: Environment) => env.REALTIME_SOURCE === 'supabase' || env.SUPABASE_URL !== undefined)
  @IsString({ message: 'SUPABASE_SERVICE_ROLE_KEY must be set when the supabase feed is used' })
  @MinLength(20, {
    message:
      'SUPABASE_SERVICE_ROLE_KEY is too short to be a service-role key (fewer than 20 characters): copy the whole key from the Supabase dashboard',
  })
  SUPABASE_SERVICE_ROLE_KEY?: string;

  @blankToUndefined()
  @ValidateIf((env: Environment) => isProduction(env) || env.ANTHROPIC_API_KEY !== undefined)
  @IsString({ message: 'ANTHROPIC_API_KEY must be set (required in production)' })
  @MinLength(1, { message: 'ANTHROPIC_API_KEY must be set (required in production)' })
  ANTHROPIC_API_KEY?: string;

  @blankToUndefined()
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'ANTHROPIC_BASE_URL must be an http(s) URL' })
  ANTHROPIC_BASE_URL?: string;

  @IsString()
  @MinLength(1)
  ANTHROPIC_MODEL = DEFAULT_ANTHROPIC_MODEL;

  /**
   * `one_call`: the decision tool returns the reply texts too, and a second (render) call happens
   * only when a tool's result must shape the words. `two_call`: decide, then always render (the
   * reference the benchmark compares against).
   */
  @IsIn(AGENT_PIPELINES)
  AGENT_PIPELINE: AgentPipeline = 'one_call';

  /**
   * How a member turn's context reads reach PostgreSQL, for both member agents. `one_statement`:
   * the Concierge's ten reads as one statement, and an Innovator turn's own six as a second, so one
   * pooled connection per Concierge turn and two per Innovator turn. `parallel`: each read alone,
   * all at once (10 and 16 connections; the reference the benchmark compares against).
   */
  @IsIn(CONCIERGE_CONTEXT_READS_MODES)
  CONCIERGE_CONTEXT_READS: ConciergeContextReads = 'one_statement';

  @blankToUndefined()
  @IsOptional()
  @IsUrl({ require_tld: false }, { message: 'SENTRY_DSN must be a URL' })
  SENTRY_DSN?: string;

  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is unset. */
  @IsString()
  EMBEDDED_DB_DIR = '.data/postgres';

  /** Off the usual 5432 so it never collides with a system PostgreSQL. */
  @toInt()
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_DB_PORT = 54329;

  /** Time in-flight turns get to finish on SIGTERM; Cloud Run kills 10 s after SIGTERM. */
  @toInt()
  @IsInt()
  @Min(0)
  @Max(60000)
  SHUTDOWN_DRAIN_MS = 7000;

  /** A subscription may be down this long (while it reconnects) before /health reports 503. */
  @toInt()
  @IsInt()
  @Min(0)
  SUBSCRIPTION_GRACE_MS = 30000;

  @toInt()
  @IsInt()
  @Min(50)
  HEALTH_DB_TIMEOUT_MS = 1000;

  /** The catch-up sweep's period: the backstop when notifications are lost. */
  @toInt()
  @IsInt()
  @Min(100)
  SWEEP_INTERVAL_MS = 5000;

  /** Rows one catch-up page reads per table; a sweep reads pages oldest first, up to ten in a row. */
  @toInt()
  @IsInt()
  @Min(1)
  @Max(10000)
  SWEEP_PAGE_SIZE = 200;

  /** First delay before a lost feed (socket, channel, LISTEN connection) is re-established; doubles, with jitter. */
  @toInt()
  @IsInt()
  @Min(10)
  FEED_RECONNECT_MIN_MS = 500;

  /** Cap of that delay: a feed retries without end, at least this often. */
  @toInt()
  @IsInt()
  @Min(10)
  FEED_RECONNECT_MAX_MS = 15000;

  /** The LISTEN connection is probed this often; a probe or connect slower than this is a lost link. */
  @toInt()
  @IsInt()
  @Min(100)
  LISTEN_PROBE_INTERVAL_MS = 5000;

  /** Supabase Realtime heartbeat period; a socket that leaves one unanswered for a period is replaced. */
  @toInt()
  @IsInt()
  @Min(100)
  @Max(60000)
  REALTIME_HEARTBEAT_INTERVAL_MS = 15000;

  /** How long a Supabase channel join may go unanswered before it is given up and retried. */
  @toInt()
  @IsInt()
  @Min(100)
  @Max(60000)
  REALTIME_JOIN_TIMEOUT_MS = 10000;

  /**
   * Parameterised queries go as named (prepared) statements, planned once per connection. Only
   * for a connection that keeps prepared statements (direct, or a session-mode pooler).
   */
  @toBoolean()
  @IsBoolean({ message: 'DB_PREPARED_STATEMENTS must be true or false' })
  DB_PREPARED_STATEMENTS = false;

  /** Agent turns and event handlers in flight at once in this instance. */
  @toInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  MAX_CONCURRENCY = 8;

  /**
   * User turns go before event handlers: their own wait queue, a quarter of the slots kept for
   * them, and the freed slot when both wait (events still get one start in eight). false: one
   * first-come queue for both, the reference the bench's event-storm section compares against.
   */
  @toBoolean()
  @IsBoolean({ message: 'TURN_PRIORITY must be true or false' })
  TURN_PRIORITY = true;

  /**
   * Claim affinity: a wake-up about a user is acted on at once only by the user's owner among the
   * live instances (rendezvous hashing over `processor_instances` heartbeats), instead of by every
   * instance. Only who tries changes; claims and fencing decide as before. See docs/architecture.md.
   */
  @toBoolean()
  @IsBoolean({ message: 'CLAIM_AFFINITY must be true or false' })
  CLAIM_AFFINITY = false;

  /** With CLAIM_AFFINITY: each instance's heartbeat period; an instance silent for three periods is gone. */
  @toInt()
  @IsInt()
  @Min(100)
  @Max(60000)
  INSTANCE_HEARTBEAT_MS = 1000;

  /**
   * With CLAIM_AFFINITY: a text due longer than this is taken by any instance's catch-up sweep,
   * whoever owns it, so a dead, stalled or overloaded owner delays it by at most this plus
   * SWEEP_INTERVAL_MS.
   */
  @toInt()
  @IsInt()
  @Min(0)
  CLAIM_AFFINITY_GRACE_MS = 5000;

  /** How long a claim is held before another instance may take the work over. */
  @toInt()
  @IsInt()
  @Min(1000)
  CLAIM_LEASE_MS = 30000;

  /**
   * Server-side limits on pooled connections, by purpose. DB_STATEMENT_TIMEOUT_MS is the default of
   * every statement: claims, commits, lease renewals and a turn's reads touch a few indexed rows,
   * so one running longer is blocked or the database is in trouble, and it fails fast and frees its
   * connection. DB_BACKGROUND_STATEMENT_TIMEOUT_MS applies only to reads across the whole backlog
   * off the reply path (the catch-up sweep, the backlog gauges), which may take longer after a long
   * outage. A row lock waited on longer than DB_LOCK_TIMEOUT_MS fails the statement; the client
   * gives up on a query 5 s after its statement timeout.
   */
  @toInt()
  @IsInt()
  @Min(100)
  DB_STATEMENT_TIMEOUT_MS = 5000;

  @toInt()
  @IsInt()
  @Min(100)
  DB_BACKGROUND_STATEMENT_TIMEOUT_MS = 30000;

  @toInt()
  @IsInt()
  @Min(100)
  DB_LOCK_TIMEOUT_MS = 3000;

  /** A turn or event handler running longer than this is aborted and retried later. */
  @toInt()
  @IsInt()
  @Min(100)
  TURN_TIMEOUT_MS = 20000;

  /** Inbound messages one turn may take (a burst is answered together, up to this many). */
  @toInt()
  @IsInt()
  @Min(1)
  @Max(500)
  MAX_MESSAGES_PER_TURN = 20;

  /** Attempts before a message or event is dead. */
  @toInt()
  @IsInt()
  @Min(1)
  @Max(100)
  MAX_ATTEMPTS = 5;

  /** First retry delay; doubles each attempt, with jitter, up to RETRY_MAX_DELAY_MS. */
  @toInt()
  @IsInt()
  @Min(0)
  RETRY_BASE_DELAY_MS = 2000;

  @toInt()
  @IsInt()
  @Min(0)
  RETRY_MAX_DELAY_MS = 300000;

  /** How often due agent_tasks are claimed and run, and the community closing job is tried. */
  @toInt()
  @IsInt()
  @Min(50)
  TASK_POLL_INTERVAL_MS = 5000;

  /** Due tasks one poll runs at most (each in its own transaction); the next poll takes the rest. */
  @toInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  TASK_BATCH_SIZE = 50;

  /**
   * How long a text may keep failing because the model is down or overloaded (5xx, 529, 429,
   * timeouts) before it is dead: outages are not charged to MAX_ATTEMPTS. Retries back off up to
   * RETRY_MAX_DELAY_MS meanwhile.
   */
  @toInt()
  @IsInt()
  @Min(0)
  MODEL_OUTAGE_BUDGET_MS = 3_600_000;

  /**
   * A user whose text has waited this long on an outage or a configuration error gets one honest
   * holding text through the message queue (one per run of failures).
   */
  @toInt()
  @IsInt()
  @Min(0)
  HOLDING_TEXT_AFTER_MS = 120_000;

  /** The message dispatcher's backstop: it looks for due queued texts at least this often. */
  @toInt()
  @IsInt()
  @Min(50)
  @Max(60000)
  MESSAGE_DISPATCH_INTERVAL_MS = 1000;

  /** Users whose due texts one dispatcher pass handles before it starts the next pass. */
  @toInt()
  @IsInt()
  @Min(1)
  @Max(10000)
  MESSAGE_DISPATCH_BATCH = 100;

  /**
   * Test-only: commits skip the fencing-token check, so a worker that lost its claim commits
   * anyway. It exists to prove that the chaos run's invariants catch a broken fence; refused in
   * production.
   */
  @toBoolean()
  @IsBoolean({ message: 'TEST_BREAK_FENCE must be true or false' })
  TEST_BREAK_FENCE = false;

  /** Names this instance in claims and logs; defaults to host and pid. */
  @blankToUndefined()
  @IsOptional()
  @IsString()
  INSTANCE_ID?: string;
}

const ENVIRONMENT_KEYS: readonly (keyof Environment)[] = [
  ...(Object.keys(new Environment()) as (keyof Environment)[]),
  'DATABASE_URL',
  'REALTIME_SOURCE',
  'SUPABASE_URL',
  'SUPABASE_SERVICE_ROLE_KEY',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'SENTRY_DSN',
  'INSTANCE_ID',
];

export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}

function describe(errors: ValidationError[]): string[] {
  const problems = errors.flatMap((error) =>
    // A value that is missing (not a string) has one problem: that it is missing, not its length.
    Object.values(
      error.constraints?.isString ? { isString: error.constraints.isString } : (error.constraints ?? {}),
    ).map((text) => (text.startsWith(error.property) ? text : `${error.property}: ${text}`)),
  );
  // Two constraints sharing one message (IsString + MinLength on ANTHROPIC_API_KEY) say it once.
  return [...new Set(problems)];
}

/**
 * Validates the raw environment and fills the defaults. Throws one EnvironmentError naming every
 * problem, so an operator fixes them all in one deploy. Never echoes values (they may be secrets).
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  // Only our own variables: the rest of the process environment stays out of the config object.
  // A blank value (`PORT=` in .env) means unset, so the default applies: the per-field transforms
  // alone left numbers and enums invalid and EMBEDDED_DB_DIR the current directory.
  const input: Record<string, unknown> = {};
  for (const key of ENVIRONMENT_KEYS) {
    const value = raw[key];
    if (value !== undefined && !(typeof value === 'string' && value.trim() === '')) input[key] = value;
  }
  const env = plainToInstance(Environment, input, { exposeDefaultValues: true });
  const problems = describe(validateSync(env, { forbidUnknownValues: false }));

  env.REALTIME_SOURCE ??= env.SUPABASE_URL ? 'supabase' : 'postgres';
  if (env.REALTIME_SOURCE === 'supabase' && !env.SUPABASE_URL && !problems.some((p) => p.startsWith('SUPABASE_URL'))) {
    problems.push('SUPABASE_URL must be set when REALTIME_SOURCE=supabase');
  }
  if (
    Number.isInteger(env.FEED_RECONNECT_MIN_MS) &&
    Number.isInteger(env.FEED_RECONNECT_MAX_MS) &&
    env.FEED_RECONNECT_MAX_MS < env.FEED_RECONNECT_MIN_MS
  ) {
    problems.push('FEED_RECONNECT_MAX_MS must not be below FEED_RECONNECT_MIN_MS');
  }
  if (env.TEST_BREAK_FENCE === true && isProduction(env)) {
    problems.push('TEST_BREAK_FENCE is a test-only switch and is refused in production');
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return env;
}

/** For entry points that run before or outside Nest (main.ts's preflight, CLI scripts). */
export function loadEnvironment(): Environment {
  return validateEnvironment(process.env);
}
