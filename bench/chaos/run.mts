/**
 * `npm run chaos`: three instances under a steady mixed load while a scheduler injects faults at
 * random — instances killed with SIGKILL or SIGTERM and restarted, the database restarted, the
 * Realtime stand-in's connections dropped, stalled, closed and errored, the model stand-in
 * answering 529 or too slowly — then every invariant of docs/architecture.md §2 is checked against the
 * database. Loopback only, bounded in time. Exits non-zero when an invariant fails.
 *
 *   npm run chaos                       # the CI profile: about two minutes
 *   npm run chaos -- --minutes 15       # a longer soak
 *   npm run chaos -- --feed postgres    # LISTEN/NOTIFY instead of Supabase Realtime
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { installTurnAudit } from '../../test/support/turn-audit.ts';
import { createDatabase } from '../lib/postgres.mts';
import { percentiles } from '../lib/stats.mts';
import { RealtimeStandIn } from '../../test/support/realtime-stand-in.ts';
import { freePort } from '../../test/support/free-port.ts';
import { Instance, RestartablePostgres, timeUntil } from './cluster.mts';
import { faultsFor, type ChaosWorld } from './faults.mts';
import { ScriptedModel } from '../lib/scripted-model.mts';
import { checkInvariants, installEventAudit } from './invariants.mts';
import { LoadGenerator } from './load.mts';

const ROOT = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1.5' },
    seed: { type: 'string', default: '42' },
    feed: { type: 'string', default: 'supabase' },
  },
});
const chaosMs = Number(values.minutes) * 60_000;
const feed = values.feed === 'postgres' ? 'postgres' : 'supabase';
const SETTLE_MS = 60_000;

async function main(): Promise<void> {
  let state = Number(values.seed);
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const postgres = new RestartablePostgres();
  await postgres.start();
  const url = await createDatabase(postgres.url, 'chaos', true);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  await installTurnAudit(pool);
  await installEventAudit(pool);

  const model = await ScriptedModel.start();
  const realtimePort = await freePort();
  const realtime =
    feed === 'supabase'
      ? { standIn: await RealtimeStandIn.start({ port: realtimePort, databaseUrl: url }), port: realtimePort }
      : undefined;
  const env: Record<string, string> = {
    DATABASE_URL: url,
    REALTIME_SOURCE: feed,
    ANTHROPIC_API_KEY: 'chaos-key',
    ANTHROPIC_BASE_URL: model.standIn.baseURL,
    CLAIM_LEASE_MS: '3000',
    TURN_TIMEOUT_MS: '3000',
    SWEEP_INTERVAL_MS: '1000',
    SHUTDOWN_DRAIN_MS: '3000',
    RETRY_BASE_DELAY_MS: '500',
    RETRY_MAX_DELAY_MS: '5000',
    MAX_ATTEMPTS: '10',
    SUBSCRIPTION_GRACE_MS: '60000',
    // Short heartbeats, so a stalled Realtime connection is noticed within the fault's window.
    REALTIME_HEARTBEAT_INTERVAL_MS: '1000',
    REALTIME_JOIN_TIMEOUT_MS: '2000',
    ...(realtime
      ? {
          SUPABASE_URL: `http://127.0.0.1:${realtime.port}`,
          SUPABASE_SERVICE_ROLE_KEY: 'chaos-service-role-key-0123456789',
        }
      : {}),
  };
  const logDir = mkdtempSync(join(tmpdir(), 'rp-chaos-logs-'));
  process.stderr.write(`instance logs: ${logDir}\n`);
  const instances = [0, 1, 2].map((i) => new Instance(`chaos-${i}`, env, logDir));
  await Promise.all(instances.map((instance) => instance.start()));
  await Promise.all(instances.map((instance) => timeUntil(() => instance.healthy(), 30_000)));

  const load = new LoadGenerator(url, Number(values.seed));
  await load.seed(150);
  load.start(20);

  const world: ChaosWorld = { instances, postgres, databaseUrl: url, model, realtime, random, badExits: [] };
  const kinds = faultsFor(feed);
  const faults: Record<string, number> = {};
  const recovery: Record<string, number[]> = {};
  const deadline = performance.now() + chaosMs;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2000 + random() * 3000));
    const fault = kinds[Math.floor(random() * kinds.length)];
    process.stderr.write(`fault: ${fault.kind}\n`);
    const ms = await fault.run(world);
    faults[fault.kind] = (faults[fault.kind] ?? 0) + 1;
    if (Number.isFinite(ms)) (recovery[fault.kind] ??= []).push(Math.round(ms));
    else process.stderr.write(`  no recovery within the limit after ${fault.kind}\n`);
  }
  const slowExits = world.badExits;

  await load.stop();
  process.stderr.write('load stopped; waiting for the backlog to settle...\n');
  await timeUntil(async () => {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM messages WHERE direction = 'inbound' AND processing_state IN ('pending', 'processing'))
            + (SELECT count(*) FROM events WHERE processing_state IN ('pending', 'processing')) AS n`,
    );
    return Number(rows[0].n) === 0;
  }, SETTLE_MS);
  const report = await checkInvariants(pool);
  for (const instance of instances) instance.retired = true;
  await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
  const crashes = instances.reduce((sum, instance) => sum + instance.crashes, 0);
  await load.close();
  await pool.end();
  await world.realtime?.standIn.stop();
  await model.standIn.stop();
  await postgres.stop();

  const recoveryRows = Object.entries(recovery).map(([kind, times]) => ({ kind, ...percentiles(times) }));
  const lines = [
    `chaos run: ${values.minutes} min of faults, seed ${values.seed}, 3 instances on the ${feed} feed, ${load.stats.texts} texts and ${load.stats.events} events written (${load.stats.insertErrors} inserts refused while the database was down)`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| messages in / done / dead | ${report.messagesIn} / ${report.messagesDone} / ${report.messagesDead} |`,
    `| events in / done / dead | ${report.eventsIn} / ${report.eventsDone} / ${report.eventsDead} |`,
    `| duplicates (must be 0) | ${report.duplicates} |`,
    `| lost (must be 0) | ${report.lost} |`,
    `| most turns of one user at once (must be 1) | ${report.maxTurnsOfOneUserAtOnce} |`,
    `| SIGTERM exits slower than 10 s or non-zero (must be 0) | ${slowExits.length} |`,
    `| instance crashes (must be 0) | ${crashes} |`,
    ...Object.entries(faults).map(([kind, n]) => `| faults: ${kind} | ${n} |`),
    ...recoveryRows.map((row) => `| recovery ms p50 / max: ${row.kind} | ${row.p50} / ${row.max} |`),
    '',
    `duplicates: ${report.duplicates}`,
    `lost: ${report.lost}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'chaos-latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), minutes: Number(values.minutes), load: load.stats, report, faults, recovery, slowExits, crashes }, null, 2)}\n`,
  );
  const failed =
    report.duplicates > 0 ||
    report.lost > 0 ||
    report.maxTurnsOfOneUserAtOnce > 1 ||
    slowExits.length > 0 ||
    crashes > 0;
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
