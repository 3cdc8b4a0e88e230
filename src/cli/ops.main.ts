/**
 * `npm run ops -- <command>`: the operator CLI (docs/operations.md). Works against DATABASE_URL,
 * or the embedded PostgreSQL of `npm start`. Tables for people, `--json` for scripts; exit 2 on
 * bad arguments, 1 on a failure.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { userInfo } from 'node:os';
import { Pool } from 'pg';
import { loadEnvironment, type Environment } from '../config/environment';
import { embeddedDatabaseUrl } from '../database/embedded-postgres.credentials';
import { EmbeddedPostgresSupervisor } from '../database/embedded-postgres.supervisor';
import { runMigrations } from '../database/migrations.runner';
import { SecretScrubber } from '../logging/secret-scrubber';
import {
  oneLine,
  OperationsRepository,
  type ItemKind,
  type ReplayCandidate,
  type ReplayPlan,
  type ReplayResult,
  type ReplaySelection,
} from './operations.repository';
import { PHONE } from './chat.repository';
import { DEMO_PHONE } from './demo-seed';
import { formatTable } from './table';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEALTH_TIMEOUT_MS = 3000;

/** A bad argument: exit 2 with the message. */
class UsageError extends Error {}

const uuid = (value: string): string => {
  if (!UUID.test(value)) throw new InvalidArgumentError(`not an id (a UUID): ${value}`);
  return value.toLowerCase();
};
const positiveInt = (max: number) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${max}, got ${value}`);
  }
  return parsed;
};
const timestamp = (value: string): Date => {
  const parsed = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(parsed.getTime())) {
    throw new InvalidArgumentError(`not an ISO 8601 time (e.g. 2026-11-30T06:00:00Z): ${value}`);
  }
  return parsed;
};
const url = (value: string): string => {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    return value;
  } catch {
    throw new InvalidArgumentError(`not an http(s) URL: ${value}`);
  }
};
const collect =
  <T>(parse: (value: string) => T) =>
  (value: string, previous: T[] | undefined) => [...(previous ?? []), parse(value)];

function defaultOperator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

interface Output {
  print(text: string): void;
}

/** The database the service uses: DATABASE_URL, or the running embedded PostgreSQL of `npm start`. */
function databaseUrl(env: Environment): string {
  return env.DATABASE_URL ?? embeddedDatabaseUrl(env.EMBEDDED_DB_PORT);
}

async function withRepository<T>(env: Environment, work: (repository: OperationsRepository) => Promise<T>): Promise<T> {
  const pool = new Pool({
    connectionString: databaseUrl(env),
    max: 2,
    connectionTimeoutMillis: 5000,
    application_name: 'ops',
  });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1').catch((error: unknown) => {
      const hint = env.DATABASE_URL
        ? ''
        : ' (no DATABASE_URL: is the embedded database running? start it with npm start)';
      throw new Error(`cannot reach the database${hint}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    });
    return await work(new OperationsRepository(pool));
  } finally {
    await pool.end();
  }
}

interface InstanceHealth {
  url: string;
  status: string;
  'user-messages': string;
  'agent-events': string;
  lastProcessedAt: string;
}

async function readHealth(target: string): Promise<InstanceHealth> {
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const body = (await response.json()) as {
      status?: string;
      subscriptions?: Record<string, string>;
      lastProcessedAt?: string | null;
    };
    return {
      url: target,
      status: body.status ?? `HTTP ${response.status}`,
      'user-messages': body.subscriptions?.['user-messages'] ?? '?',
      'agent-events': body.subscriptions?.['agent-events'] ?? '?',
      lastProcessedAt: body.lastProcessedAt ?? '',
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      url: target,
      status: `unreachable (${reason})`,
      'user-messages': '?',
      'agent-events': '?',
      lastProcessedAt: '',
    };
  }
}

function printReplay(output: Output, json: boolean, result: ReplayPlan | ReplayResult): void {
  const dryRun = !('state' in result);
  if (json) return output.print(JSON.stringify(dryRun ? { ...result, dryRun } : result, null, 2) + '\n');
  const actionOf = (event: ReplayCandidate): string => {
    if (!result.replayable.includes(event)) return `skipped (${event.state})`;
    if (!('state' in result)) return 'would replay';
    return result.replayed.includes(event.id) ? 'replayed' : 'not replayed';
  };
  output.print(
    formatTable(
      [...result.replayable, ...result.skipped].map((event) => ({ ...event, action: actionOf(event) })),
      ['id', 'event_type', 'state', 'created_at', 'processed_at', 'action'],
    ),
  );
  if (!('state' in result)) {
    output.print(`dry run: ${result.replayable.length} event(s) would be replayed under key ${result.key}\n`);
    return;
  }
  const summary: Record<ReplayResult['state'], string> = {
    replayed: `replayed ${result.replayed.length} event(s) under key ${result.key}; the next sweep runs them`,
    already_replayed: `already replayed under key ${result.key}: nothing done`,
    nothing_to_replay: 'nothing to replay: no finished event matches',
  };
  output.print(`${summary[result.state]}\n`);
}

export function buildProgram(output: Output, env: () => Environment): Command {
  const program = new Command('ops')
    .description('Operator commands for realtime-processor (runbook: docs/operations.md)')
    .option('--json', 'print JSON instead of tables', false)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.print(text), writeErr: (text) => process.stderr.write(text) });
  const json = () => program.opts<{ json: boolean }>().json;
  const emit = (value: unknown, table: () => string) =>
    output.print(json() ? JSON.stringify(value, null, 2) + '\n' : table());

  program
    .command('status')
    .description('instances (from their /health), backlog by kind and age, dead counts, queue lanes, last failures')
    .option('--health-url <url>', "an instance's /health URL (repeatable)", collect(url))
    .action(async (options: { healthUrl?: string[] }) => {
      const instances = await Promise.all((options.healthUrl ?? []).map(readHealth));
      const [backlog, failures] = await withRepository(
        env(),
        async (repository) => [await repository.backlogSnapshot(), await repository.recentFailures(10)] as const,
      );
      const status = { instances, backlog, failures };
      emit(status, () => {
        const kinds = (['message', 'event', 'queue'] as const).map((kind) => ({
          kind,
          pending: backlog.pending[kind],
          oldest_seconds: Math.round(backlog.oldestSeconds[kind]),
          dead: kind === 'queue' ? '' : backlog.dead[kind],
        }));
        return [
          'Instances',
          instances.length > 0
            ? formatTable(instances as unknown as Record<string, unknown>[], [
                'url',
                'status',
                'user-messages',
                'agent-events',
                'lastProcessedAt',
              ])
            : '(pass --health-url <url> for each instance)\n',
          'Backlog',
          formatTable(kinds, ['kind', 'pending', 'oldest_seconds', 'dead']),
          'Queue depth by lane',
          formatTable(
            Object.entries(backlog.queueDepth).map(([priority, depth]) => ({ priority, depth })),
            ['priority', 'depth'],
          ),
          'Last 10 failures',
          formatTable(
            failures.map((failure) => ({ ...failure, error: oneLine(failure.error) })),
            ['at', 'kind', 'id', 'type', 'state', 'attempts', 'error'],
          ),
        ].join('\n');
      });
      if (instances.some((instance) => instance.status !== 'healthy')) process.exitCode = 1;
    });

  const dead = program.command('dead').description('dead messages and events: list, show, requeue');
  dead
    .command('list')
    .description('dead items, most recent first')
    .addOption(new Option('--kind <kind>', 'message, event or all').choices(['message', 'event', 'all']).default('all'))
    .option('--limit <n>', 'at most this many (1-1000)', positiveInt(1000), 20)
    .action(async (options: { kind: ItemKind | 'all'; limit: number }) => {
      const items = await withRepository(env(), (repository) => repository.deadItems(options.kind, options.limit));
      emit(items, () =>
        formatTable(
          items.map((item) => ({ ...item, error: oneLine(item.error) })),
          ['died_at', 'kind', 'id', 'type', 'attempts', 'error'],
        ),
      );
    });
  dead
    .command('show')
    .description('one dead item: ids, type, attempts, times and the last error (never message text)')
    .argument('<id>', 'the message or event id', uuid)
    .action(async (id: string) => {
      const item = await withRepository(env(), (repository) => repository.deadItem(id));
      if (!item) throw new Error(`no dead message or event with id ${id}`);
      emit(item, () =>
        Object.entries(item)
          .map(
            ([key, value]) =>
              `${key.padEnd(16)} ${value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join(', ') : String(value ?? '')}`,
          )
          .join('\n')
          .concat('\n'),
      );
    });
  dead
    .command('requeue')
    .description('put dead items back to pending with their attempts reset (a dead text never gets a second fallback)')
    .argument('<ids...>', 'message or event ids', (value: string, previous: string[] | undefined) => [
      ...(previous ?? []),
      uuid(value),
    ])
    .option('--by <name>', 'who asks (recorded in agent_actions_log)', defaultOperator())
    .action(async (ids: string[], options: { by: string }) => {
      if (options.by.trim() === '') throw new UsageError('--by must name who asks');
      const results = await withRepository(env(), async (repository) => {
        const rows: { id: string; kind: string; result: string }[] = [];
        for (const id of ids) {
          const outcome = await repository.requeue(id, options.by.trim());
          rows.push({ id, kind: outcome.kind ?? '', result: outcome.result });
        }
        return rows;
      });
      emit(results, () => formatTable(results, ['id', 'kind', 'result']));
      if (results.some((row) => row.result === 'not_found')) process.exitCode = 1;
    });

  program
    .command('replay')
    .description('run finished events again, by id or by type and time range; --dry-run first')
    .option('--event <id>', 'an event id (repeatable)', collect(uuid))
    .option('--type <event_type>', 'events of this type ...')
    .option('--since <time>', '... created at or after this ISO 8601 time', timestamp)
    .option('--until <time>', '... and before this one', timestamp)
    .option('--dry-run', 'list what would be replayed and change nothing', false)
    .option('--by <name>', 'who asks (recorded in agent_actions_log)', defaultOperator())
    .option(
      '--key <key>',
      'idempotency key (default: derived from the events, so the same events replay once; give a new key to replay them again)',
    )
    .option('--limit <n>', 'refuse a range matching more than this many events (1-10000)', positiveInt(10_000), 100)
    .action(
      async (options: {
        event?: string[];
        type?: string;
        since?: Date;
        until?: Date;
        dryRun: boolean;
        by: string;
        key?: string;
        limit: number;
      }) => {
        const byRange = options.type !== undefined || options.since !== undefined || options.until !== undefined;
        if ((options.event !== undefined) === byRange) {
          throw new UsageError('name the events: --event <id> (repeatable), or --type with --since and --until');
        }
        if (byRange && (!options.type?.trim() || !options.since || !options.until)) {
          throw new UsageError('a range needs all of --type, --since and --until');
        }
        if (options.since && options.until && options.since >= options.until) {
          throw new UsageError('--since must be before --until');
        }
        if (options.by.trim() === '') throw new UsageError('--by must name who asks');
        if (options.key !== undefined && options.key.trim() === '') throw new UsageError('--key must not be empty');
        const selection: ReplaySelection = options.event
          ? { eventIds: [...new Set(options.event)] }
          : { type: options.type!.trim(), since: options.since!, until: options.until! };
        await withRepository(env(), async (repository) => {
          const candidates = await repository.replayCandidates(selection, options.limit);
          if (candidates.length > options.limit) {
            throw new UsageError(`more than ${options.limit} events match: narrow the range or raise --limit`);
          }
          if ('eventIds' in selection) {
            const missing = selection.eventIds.filter((id) => !candidates.some((event) => event.id === id));
            if (missing.length > 0) throw new Error(`no event with id ${missing.join(', ')}`);
          }
          const plan = repository.plan(candidates, options.key?.trim());
          if (options.dryRun) {
            printReplay(output, json(), plan);
            return;
          }
          printReplay(output, json(), await repository.replay(plan, options.by.trim(), selection));
        });
      },
    );

  program
    .command('seed')
    .description("create the README's demo member (a verified Concierge member with open threads); idempotent")
    .option('--demo', 'the demo data set (the only one)', false)
    .option('--phone <phone>', "the demo member's phone number (E.164)", DEMO_PHONE)
    .action(async (options: { demo: boolean; phone: string }) => {
      if (!options.demo) throw new UsageError('say which data set: --demo');
      if (!PHONE.test(options.phone))
        throw new UsageError(`--phone must be E.164, e.g. ${DEMO_PHONE}: ${options.phone}`);
      const seeded = await withRepository(env(), (repository) => repository.seedDemo(options.phone));
      emit(
        seeded,
        () =>
          `Demo member Dana Reyes (verified, Concierge) at ${seeded.phone}.\nTry: npm run chat -- --phone ${seeded.phone}\n`,
      );
    });

  program
    .command('migrate')
    .description('apply the schema migrations to DATABASE_URL (or the embedded database)')
    .action(async () => {
      const environment = env();
      const embedded = environment.DATABASE_URL
        ? undefined
        : await EmbeddedPostgresSupervisor.start({
            dataDir: environment.EMBEDDED_DB_DIR,
            port: environment.EMBEDDED_DB_PORT,
          });
      try {
        const applied = await runMigrations(environment.DATABASE_URL ?? embedded!.url, { log: () => undefined });
        emit({ applied }, () =>
          applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'the schema is up to date\n',
        );
      } finally {
        await embedded?.stop();
      }
    });

  return program;
}

async function main(argv: string[]): Promise<number> {
  let secrets: (string | undefined)[] = [];
  const env = (): Environment => {
    const loaded = loadEnvironment();
    secrets = [loaded.ANTHROPIC_API_KEY, loaded.SUPABASE_SERVICE_ROLE_KEY, loaded.SENTRY_DSN, loaded.DATABASE_URL];
    return loaded;
  };
  const output: Output = { print: (text) => void process.stdout.write(text) };
  const program = buildProgram(output, env);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here too, with exit code 0; commander already printed the message.
      return error.exitCode === 0 ? 0 : 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`ops: ${new SecretScrubber(secrets).scrubText(message)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`ops failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
