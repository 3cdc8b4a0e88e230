/**
 * `npm run chaos`: three instances under a steady mixed load while a scheduler injects faults —
 * instances killed with SIGKILL or SIGTERM and restarted, an instance frozen (SIGSTOP) past its
 * lease while it holds a turn, the database restarted, the pools and the server's connections
 * exhausted, the Realtime stand-in's connections dropped, stalled, closed and errored, the model
 * answering 529, too slowly or not at all — then the invariants are checked against the database
 * and every log line and stored error text is scanned for message bodies and secrets. Faults are
 * drawn from a shuffled bag, so every kind runs in every run. Loopback only, bounded in time.
 * Exits non-zero when anything fails.
 *
 *   npm run chaos                          # the CI profile: about two minutes
 *   npm run chaos -- --minutes 15          # a longer soak
 *   npm run chaos -- --profile long        # ten minutes of faults plus a five-minute 529 storm
 *   npm run chaos -- --feed postgres       # LISTEN/NOTIFY instead of Supabase Realtime
 *   npm run chaos -- --break-fence         # TEST_BREAK_FENCE on: succeeds only if the invariants catch it
 *   npm run chaos -- --only sigstop-past-lease,model-hang   # a subset of the fault kinds
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { installTurnAudit } from '../../test/support/turn-audit.ts';
import { createDatabase } from '../lib/postgres.mts';
import { percentiles } from '../lib/stats.mts';
import { RealtimeStandIn } from '../../test/support/realtime-stand-in.ts';
import { freePort } from '../../test/support/free-port.ts';
import { seededRandom, shuffledBag } from '../../test/support/seeded-random.ts';
import { ScriptedModel } from '../../test/support/scripted-model.ts';
import { Instance, RestartablePostgres, timeUntil } from './cluster.mts';
import { faultsFor, modelStorm, type ChaosWorld, type Fault } from './faults.mts';
import { checkInvariants } from './invariants.mts';
import { installEventAudit } from '../../test/support/workflow-audit.ts';
import { scanForLeaks, type Needle } from '../../test/support/leak-scan.ts';
import { CHAOS_TEXTS, LoadGenerator, QUEUED_TEXT } from './load.mts';
import { COMMUNITY_ANSWER, HANDLED_TYPES, REQUESTED_TEXT, WorkflowLoad, workflowRowLock } from './workflows.mts';

const ROOT = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'ci' },
    minutes: { type: 'string' },
    'storm-minutes': { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    feed: { type: 'string', default: 'supabase' },
    only: { type: 'string' },
    'break-fence': { type: 'boolean', default: false },
  },
});
const long = values.profile === 'long';
const minutes = Number(values.minutes ?? (long ? 10 : 1.5));
const stormMinutes = Number(values['storm-minutes']);
const chaosMs = minutes * 60_000;
const feed = values.feed === 'postgres' ? 'postgres' : 'supabase';
const breakFence = values['break-fence'] === true;
const LEASE_MS = 3000;
/**
 * Longer than a SIGSTOP past the lease lasts (the lease, then the takeover): a thawed turn then
 * meets the fence with its commit, not its own timeout first.
 */
const TURN_TIMEOUT_MS = 15_000;
/**
 * A long outage leaves a backlog that retries with capped backoff: give it time to drain. The wait
 * ends as soon as it has drained, so the bound only decides how long a slow machine may take
 * before the leftovers count as lost.
 */
const SETTLE_MS = long ? 600_000 : 300_000;
/** How long the instances may take to boot; a slow machine boots three at once slowly. */
const BOOT_MS = 120_000;
const SECRETS = {
  anthropicKey: 'sk-ant-chaos-7d41c0ffee5ca1ab1e0123456789',
  serviceRoleKey: 'chaos-service-role-key-5b2f9e7c31a04d68',
};

// Interrupted: exit through 'exit', whose handler (cluster.mts) kills every instance, frozen ones too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

async function main(): Promise<void> {
  const random = seededRandom(Number(values.seed));
  const postgres = new RestartablePostgres();
  await postgres.start();
  const url = await createDatabase(postgres.url, 'chaos', true);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined);
  await installTurnAudit(pool);
  await installEventAudit(pool);

  const models = [await ScriptedModel.start(), await ScriptedModel.start(), await ScriptedModel.start()];
  for (const model of models) model.slowMs = TURN_TIMEOUT_MS + 1000;
  const realtimePort = await freePort();
  const realtime =
    feed === 'supabase'
      ? { standIn: await RealtimeStandIn.start({ port: realtimePort, databaseUrl: url }), port: realtimePort }
      : undefined;
  const env: Record<string, string> = {
    DATABASE_URL: url,
    REALTIME_SOURCE: feed,
    ANTHROPIC_API_KEY: SECRETS.anthropicKey,
    CLAIM_LEASE_MS: String(LEASE_MS),
    TURN_TIMEOUT_MS: String(TURN_TIMEOUT_MS),
    SWEEP_INTERVAL_MS: '1000',
    SHUTDOWN_DRAIN_MS: '3000',
    RETRY_BASE_DELAY_MS: '500',
    RETRY_MAX_DELAY_MS: '5000',
    MAX_ATTEMPTS: '10',
    SUBSCRIPTION_GRACE_MS: '60000',
    // Short heartbeats, so a stalled Realtime connection is noticed within the fault's window.
    REALTIME_HEARTBEAT_INTERVAL_MS: '1000',
    REALTIME_JOIN_TIMEOUT_MS: '2000',
    ...(breakFence ? { TEST_BREAK_FENCE: 'true' } : {}),
    ...(realtime
      ? { SUPABASE_URL: `http://127.0.0.1:${realtime.port}`, SUPABASE_SERVICE_ROLE_KEY: SECRETS.serviceRoleKey }
      : {}),
  };
  const logDir = mkdtempSync(join(tmpdir(), 'rp-chaos-logs-'));
  process.stderr.write(`instance logs: ${logDir}\n`);
  const instances = [0, 1, 2].map(
    (i) => new Instance(`chaos-${i}`, { ...env, ANTHROPIC_BASE_URL: models[i].baseURL }, logDir),
  );
  await Promise.all(instances.map((instance) => instance.start()));
  const booted = await Promise.all(instances.map((instance) => timeUntil(() => instance.healthy(), BOOT_MS)));
  const neverHealthy = instances.filter((_, i) => Number.isNaN(booted[i])).map((instance) => instance.name);
  if (neverHealthy.length > 0) throw new Error(`not healthy within ${BOOT_MS} ms: ${neverHealthy.join(', ')}`);

  const load = new LoadGenerator(url, Number(values.seed));
  await load.seed(150);
  await load.seedMembers(1000);
  load.start(20);
  // Background work beside the texts: a scenario a second, three members each, for the whole run.
  const workflows = new WorkflowLoad(url, Number(values.seed));
  await workflows.seed(Math.ceil((minutes + stormMinutes * Number(long) + 3) * 60) * 3 + 60);
  workflows.start(1000);

  const world: ChaosWorld = {
    instances,
    models,
    postgres,
    databaseUrl: url,
    pool,
    leaseMs: LEASE_MS,
    realtime,
    random,
    badExits: [],
    turnsCaughtFrozen: 0,
    sigstopMisses: {},
    textsWrittenByFaults: 0,
  };
  const only = values.only?.split(',').map((kind) => kind.trim());
  const kinds = [...faultsFor(feed), workflowRowLock(workflows)].filter((fault) => !only || only.includes(fault.kind));
  if (kinds.length === 0) throw new Error(`no fault kind matches --only ${values.only}`);
  const counts: Record<string, number> = Object.fromEntries(kinds.map((fault) => [fault.kind, 0]));
  const recovery: Record<string, number[]> = {};
  const runFault = async (fault: Fault) => {
    process.stderr.write(`fault: ${fault.kind}\n`);
    const ms = await fault.run(world);
    counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
    if (Number.isFinite(ms)) (recovery[fault.kind] ??= []).push(Math.round(ms));
    else process.stderr.write(`  no recovery within the limit after ${fault.kind}\n`);
  };

  const nextFault = shuffledBag(random, kinds);
  const started = performance.now();
  const deadline = started + chaosMs;
  const stormAt = long ? started + chaosMs / 2 : Number.POSITIVE_INFINITY;
  const missing = () => kinds.filter((fault) => counts[fault.kind] === 0);
  // Past the deadline the bag's current round still finishes, however long a slow machine takes
  // for it: every kind is in every round, so the loop ends with the round and each kind has run.
  // (Each fault is bounded in time, so the round is too.) Bounding it by time would make a slow
  // machine fail the run with 'fault kinds that never ran', which says nothing about the service.
  while (performance.now() < deadline || missing().length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 1000 + random() * 1500));
    if (performance.now() >= stormAt && counts['model-529-storm'] === undefined)
      await runFault(modelStorm(stormMinutes));
    else await runFault(nextFault());
  }
  const slowExits = world.badExits;

  await load.stop();
  await workflows.stop();
  process.stderr.write('load stopped; waiting for the backlog to settle...\n');
  const settledMs = await timeUntil(async () => {
    try {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM messages WHERE direction = 'inbound' AND processing_state IN ('pending', 'processing'))
              + (SELECT count(*) FROM events WHERE processing_state IN ('pending', 'processing')
                   AND (attempts > 0 OR event_type = ANY($1::text[])))
              + (SELECT count(*) FROM message_queue WHERE status = 'queued' AND scheduled_for <= now()) AS n`,
        [HANDLED_TYPES],
      );
      return Number(rows[0].n) === 0;
    } catch {
      return false;
    }
  }, SETTLE_MS);
  if (Number.isNaN(settledMs)) process.stderr.write(`the backlog did not drain within ${SETTLE_MS} ms\n`);
  const report = await checkInvariants(pool, { handledTypes: HANDLED_TYPES, expectDead: workflows.expectDead });
  const wf = report.workflows;
  for (const instance of instances) instance.retired = true;
  await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
  const crashes = instances.reduce((sum, instance) => sum + instance.crashes, 0);

  const needles: Needle[] = [
    { kind: 'secret', name: 'ANTHROPIC_API_KEY', value: SECRETS.anthropicKey },
    { kind: 'secret', name: 'SUPABASE_SERVICE_ROLE_KEY', value: SECRETS.serviceRoleKey },
    { kind: 'secret', name: 'database password', value: decodeURIComponent(new URL(url).password) },
    // Bodies long enough not to be ordinary words in a log line.
    ...[...CHAOS_TEXTS, QUEUED_TEXT, REQUESTED_TEXT, COMMUNITY_ANSWER, models[0].replyText, 'Sarah Chen', 'Jane Doe']
      .filter((text) => text.length >= 8)
      .map((text): Needle => ({ kind: 'body', name: JSON.stringify(text), value: text })),
  ];
  const scan = await scanForLeaks(
    instances.map((instance) => instance.logFile),
    pool,
    needles,
  );
  const lateCommitsRefused = instances
    .flatMap((instance) => readFileSync(instance.logFile, 'utf8').split('\n'))
    .filter((line) => line.includes('"turn_stale"') && line.includes('before commit')).length;
  await load.close();
  await workflows.close();
  await pool.end();
  await world.realtime?.standIn.stop();
  await Promise.all(models.map((model) => model.standIn.stop()));
  await postgres.stop();

  const neverRan = Object.entries(counts)
    .filter(([, n]) => n === 0)
    .map(([kind]) => kind);
  const recoveryRows = Object.entries(recovery).map(([kind, times]) => ({ kind, ...percentiles(times) }));
  const lines = [
    `chaos run: ${minutes} min of faults (${values.profile} profile${long ? `, with a ${stormMinutes}-minute 529 storm` : ''}), seed ${values.seed}, 3 instances on the ${feed} feed${breakFence ? ', FENCE BROKEN ON PURPOSE (TEST_BREAK_FENCE)' : ''}`,
    `load: ${load.stats.texts} texts (and ${world.textsWrittenByFaults} written by faults), ${load.stats.events} events and ${load.stats.queued} queued proactive texts written (${load.stats.insertErrors} inserts refused while the database was unavailable)`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| workflow scenarios committed | ${
      Object.entries(workflows.stats.scenarios)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ') || 'none'
    } (${workflows.stats.events} events; ${workflows.stats.insertErrors} refused while the database was unavailable) |`,
    `| messages in / done / dead | ${report.messagesIn} / ${report.messagesDone} / ${report.messagesDead} |`,
    `| events in / done / dead | ${report.eventsIn} / ${report.eventsDone} / ${report.eventsDead} |`,
    `| events by type, done / dead | ${report.eventTypes} |`,
    `| events that failed and were retried (must be ≥ 1) / failed attempts retried | ${wf.eventsRetried} / ${wf.retries} |`,
    `| events dead on purpose (pointing nowhere) / each dead with its reason and dead letter | ${workflows.expectDead.length} / ${workflows.expectDead.length - wf.expectedDeadNotDead.length} |`,
    `| events dead unexpectedly, or not dead when they point nowhere (must be 0) | ${wf.unexpectedDead.length + wf.expectedDeadNotDead.length} |`,
    `| dead events without a reason or a dead letter (must be 0) | ${wf.deadWithoutReason.length} |`,
    `| events of a type without a handler that were claimed or finished (must be 0; or HANDLED_TYPES is stale) | ${wf.notOursTouched.length} |`,
    `| credit events in the ledger / bounties the committed scenarios earn (must be equal) | ${wf.credits} / ${workflows.stats.expectedCredits} |`,
    `| balances that differ from their recomputed ledger (must be 0) | ${wf.balanceMismatches.length} |`,
    `| duplicate credit keys / duplicate priorities / workflow texts queued twice (must be 0; in duplicates) | ${wf.duplicateCreditKeys.length} / ${wf.duplicatePriorities.length} / ${wf.textsQueuedTwice.length} |`,
    `| community questions never answered (request not routed in time) | ${workflows.stats.unanswered} |`,
    `| reply groups (one per committed turn) | ${report.replyGroups} |`,
    `| queued texts by status | ${
      Object.entries(report.queue)
        .map(([status, n]) => `${status} ${n}`)
        .join(', ') || 'none'
    } |`,
    `| queued texts sent twice or wrong (must be 0; in duplicates) | ${report.queueSentTwice} |`,
    `| queued texts due and not sent (must be 0; in lost) | ${report.queueLost} |`,
    `| duplicates (must be 0) | ${report.duplicates} |`,
    `| double-answered texts (must be 0) | ${report.doubleAnswered} |`,
    `| reply groups of a token that committed nothing (must be 0) | ${report.repliesWithoutCommit} |`,
    `| lost (must be 0) | ${report.lost} |`,
    `| dead texts (must be 0: the model only ever fails for a while) | ${report.messagesDead} |`,
    `| overlapping attempts on one claim, abandoned included (must be 0) | ${report.overlaps} |`,
    `| SIGSTOP faults whose thawed turn brought its late commit to the fence (must equal the faults) / tries given up and retried | ${world.turnsCaughtFrozen} / ${JSON.stringify(world.sigstopMisses)} |`,
    `| late commits refused by the fence (must be ≥ the above with the fence intact) | ${lateCommitsRefused} |`,
    `| SIGTERM exits slower than 10 s or non-zero (must be 0) | ${slowExits.length} |`,
    `| instance crashes (must be 0) | ${crashes} |`,
    `| log lines and stored error texts scanned | ${scan.logLines} / ${scan.storedErrors} |`,
    `| message bodies or secrets found there (must be 0) | ${scan.leaks.length} |`,
    ...Object.entries(counts).map(([kind, n]) => `| faults: ${kind} (must be ≥ 1) | ${n} |`),
    ...recoveryRows.map((row) => `| recovery ms p50 / max: ${row.kind} | ${row.p50} / ${row.max} |`),
    '',
    ...scan.leaks.map((leak) => `leak: ${leak.needle} in ${leak.where} (${leak.count}×)`),
    ...Object.entries(report.samples)
      .filter(([, sample]) => sample.length > 0)
      .map(([name, sample]) => `sample of ${name}: ${JSON.stringify(sample)}`),
    `duplicates: ${report.duplicates}`,
    `double-answered: ${report.doubleAnswered}`,
    `lost: ${report.lost}`,
  ];
  const lockFaultRan = (counts['workflow-row-lock'] ?? 0) > 0;
  const sigstops = counts['sigstop-past-lease'] ?? 0;
  const failures = [
    world.turnsCaughtFrozen < sigstops && 'a SIGSTOP fault never brought a late commit to the fence',
    !breakFence && lateCommitsRefused < world.turnsCaughtFrozen && 'late commits that the fence did not refuse',
    lockFaultRan && wf.eventsRetried === 0 && 'no handled event failed and was retried',
    wf.unexpectedDead.length + wf.expectedDeadNotDead.length > 0 && 'events dead unexpectedly, or not dead when bad',
    wf.deadWithoutReason.length > 0 && 'dead events without a reason',
    wf.notOursTouched.length > 0 && 'events of a type without a handler claimed or finished',
    wf.credits !== workflows.stats.expectedCredits && 'credits not awarded exactly once per bounty',
    wf.balanceMismatches.length > 0 && 'balances that differ from the ledger',
    report.duplicates > 0 && 'duplicates',
    report.doubleAnswered > 0 && 'double-answered texts',
    report.repliesWithoutCommit > 0 && 'replies of a token that committed nothing',
    report.lost > 0 && 'lost texts or events',
    report.messagesDead > 0 && 'dead texts',
    report.overlaps > 0 && 'overlapping attempts',
    slowExits.length > 0 && 'slow or failed SIGTERM exits',
    crashes > 0 && 'instance crashes',
    scan.leaks.length > 0 && 'bodies or secrets in logs or stored errors',
    neverRan.length > 0 && `fault kinds that never ran: ${neverRan.join(', ')}`,
  ].filter((failure): failure is string => typeof failure === 'string');
  // With the fence broken on purpose, the run proves something only if the invariants saw it.
  const fenceBreachSeen = report.doubleAnswered > 0 || report.repliesWithoutCommit > 0;
  lines.push(
    breakFence
      ? fenceBreachSeen
        ? `verdict: the broken fence was caught (${failures.join('; ')}): the invariants can fail`
        : `verdict: FENCE BROKEN AND NOT CAUGHT: the invariants missed it (${failures.join('; ') || 'nothing failed'})`
      : failures.length === 0
        ? 'verdict: passed'
        : `verdict: FAILED: ${failures.join('; ')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  // The record is of full runs with the fence intact.
  if (!breakFence && !only) {
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench', 'results', long ? 'chaos-long.json' : 'chaos-latest.json'),
      `${JSON.stringify({ date: new Date().toISOString(), profile: values.profile, minutes, ...(long ? { stormMinutes } : {}), seed: Number(values.seed), feed, load: load.stats, workflows: workflows.stats, report, faults: counts, recovery, turnsCaughtFrozen: world.turnsCaughtFrozen, sigstopMisses: world.sigstopMisses, lateCommitsRefused, slowExits, crashes, scan, failures }, null, 2)}\n`,
    );
  }
  process.exit(breakFence ? (fenceBreachSeen ? 0 : 1) : failures.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
