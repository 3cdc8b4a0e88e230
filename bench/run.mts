/**
 * `npm run bench`: the service's pipeline next to graphile-worker on the same machine and the
 * same PostgreSQL. The run is split in sections; each writes its figures to
 * bench/results/sections/<section>.json, and bench/results/latest.json and docs/performance.md are
 * assembled from those files, so one section can be refreshed without re-running the others.
 *
 *   npm run bench                                 # every section
 *   npm run bench -- --only model-turns           # one section (comma-separated for several)
 *   npm run bench -- --report-only                # re-assemble latest.json and the report
 *   npm run bench -- --list                       # the section names
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import type { EngineProfileResult } from './engine-profile.bench.mts';
import type { PipelineResult } from './engine.bench.mts';
import type { ReferenceResult } from './graphile-worker.bench.mts';
import type { PipelineMode } from './model-turns.bench.mts';
import { renderReport, type BenchResult, type Machine, type SectionMeta } from './report.mts';

// Sections load their modules when they run: several reach into dist/, which `--report-only` and
// `--list` must not need (the report renderer reads JSON only).
const ROOT = join(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results');
const SECTIONS_DIR = join(RESULTS, 'sections');
const CONCURRENCY = 8;
const ENV = { MAX_CONCURRENCY: String(CONCURRENCY), REALTIME_SOURCE: 'postgres' };

/**
 * The agent pipelines compared in model time. The two-call pipeline (decide, then render) is the
 * reference; main's default pipeline is measured next to it.
 */
const PIPELINE_MODES: PipelineMode[] = [
  {
    name: 'one round trip (AGENT_PIPELINE=one_call, the default)',
    env: { AGENT_PIPELINE: 'one_call' },
    reference: false,
  },
  { name: 'two calls (AGENT_PIPELINE=two_call)', env: { AGENT_PIPELINE: 'two_call' }, reference: true },
];

/** The engine's profile before the round-trip reductions, kept to show what changed. */
const PROFILE_BEFORE = join(RESULTS, 'profile-before.json');
const profileBefore = (): EngineProfileResult | undefined =>
  existsSync(PROFILE_BEFORE) ? (JSON.parse(readFileSync(PROFILE_BEFORE, 'utf8')) as EngineProfileResult) : undefined;

const say = (what: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${what}\n`);
const step = (what: string) => say(`${what}...`);

/** One section: what it measures, and how, on a PostgreSQL server it is given. */
interface Section {
  name: string;
  what: string;
  run(serverUrl: string): Promise<unknown>;
}

const SECTIONS: Section[] = [
  {
    name: 'model-turns',
    what: 'model time: Bouncer and Concierge turns against the stand-in with a Sonnet-class latency profile',
    run: async (url) => (await import('./model-turns.bench.mts')).benchModelTurns(url, PIPELINE_MODES, ENV),
  },
  {
    name: 'notice',
    what: 'notice latency of both feeds and both floors, one interleaved phase',
    run: async (url) => (await import('./notice-latency.bench.mts')).benchNoticeLatency(url),
  },
  {
    name: 'pipelines',
    what: 'throughput per unit: the pipeline with 1 and 3 instances and both graphile-worker references',
    run: async (url) => {
      const { benchGraphileWorker } = await import('./graphile-worker.bench.mts');
      const { benchPipeline, LATENCY_SAMPLES } = await import('./engine.bench.mts');
      const { LOAD_MESSAGES_PER_USER, LOAD_USERS } = await import('./lib/workload.mts');
      const { ScriptedModel } = await import('./lib/scripted-model.mts');
      const pipelines: PipelineResult[] = [];
      const references: ReferenceResult[] = [];
      // Service and references alternate, so a slow stretch of this shared machine is not charged to one side.
      step('  graphile-worker reference, one job per text');
      references.push(await benchGraphileWorker(url, LATENCY_SAMPLES, CONCURRENCY, false));
      step('  pipeline with 1 instance');
      pipelines.push(await benchPipeline(url, 1, ENV));
      step('  graphile-worker reference, job_key per user');
      references.push(await benchGraphileWorker(url, LATENCY_SAMPLES, CONCURRENCY, true));
      step('  pipeline with 3 instances');
      pipelines.push(await benchPipeline(url, 3, ENV));
      // Claude's request path through the real SDK, against an instant local stand-in of the API.
      step('  pipeline with the Claude client against the instant stand-in');
      const model = await ScriptedModel.start();
      try {
        const claudeEnv = { ...ENV, ANTHROPIC_API_KEY: 'bench-key', ANTHROPIC_BASE_URL: model.standIn.baseURL };
        pipelines.push(await benchPipeline(url, 1, claudeEnv, 'claude-stand-in'));
      } finally {
        await model.standIn.stop();
      }
      return {
        workload: {
          latencySamples: LATENCY_SAMPLES,
          users: LOAD_USERS,
          messagesPerUser: LOAD_MESSAGES_PER_USER,
          concurrencyPerInstance: CONCURRENCY,
        },
        pipelines,
        references,
      };
    },
  },
  {
    name: 'profile',
    what: 'engine profile: statements per turn, without and with named statements',
    run: async (url) => {
      const { benchEngineProfile } = await import('./engine-profile.bench.mts');
      // A B B A: without, with, with, without named statements, so a slow stretch hits both.
      const withNames = { ...ENV, DB_PREPARED_STATEMENTS: 'true' };
      const plain = await benchEngineProfile(url, ENV);
      step('  the same with DB_PREPARED_STATEMENTS=true, twice, then without again');
      const prepared = await benchEngineProfile(url, withNames, 'engine_profile_prepared');
      const preparedAgain = await benchEngineProfile(url, withNames, 'engine_profile_prepared_2');
      const plainAgain = await benchEngineProfile(url, ENV, 'engine_profile_2');
      return {
        ...plain,
        prepared: { ...prepared, repeatDatabaseMsPerTurn: preparedAgain.databaseMsPerTurn },
        repeatDatabaseMsPerTurn: plainAgain.databaseMsPerTurn,
      };
    },
  },
  {
    name: 'event-storm',
    what: 'reply latency of texts during an event storm, user-turn priority on and off',
    run: async (url) => (await import('./event-storm.bench.mts')).benchEventStorm(url, ENV),
  },
  {
    name: 'claim-attempts',
    what: 'claim attempts per text with 1, 3 and 10 instances',
    run: async (url) => (await import('./claim-attempts.bench.mts')).benchClaimAttempts(url, ENV),
  },
  {
    name: 'context-fanout',
    what: 'the Concierge context reads against the pool: parallel statements and one statement, 8 member turns in flight',
    run: async (url) => (await import('./context-fanout.bench.mts')).benchContextFanout(url, ENV, CONCURRENCY),
  },
  {
    name: 'footprint',
    what: 'start-up and memory at 1k, 10k and 100k waiting texts, and the reference',
    run: async (url) => (await import('./footprint.bench.mts')).benchFootprint(url, ENV, CONCURRENCY),
  },
];

interface SectionFile extends SectionMeta {
  section: string;
  result: unknown;
}

const sectionPath = (name: string) => join(SECTIONS_DIR, `${name}.json`);

function readSection(name: string): SectionFile | undefined {
  const path = sectionPath(name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SectionFile) : undefined;
}

/** Every section file there is, as one result; a missing section is left out of the report. */
function assemble(): BenchResult {
  const files = Object.fromEntries(
    SECTIONS.map((s) => [s.name, readSection(s.name)]).filter((entry): entry is [string, SectionFile] => !!entry[1]),
  );
  const result = (name: string) => files[name]?.result as never;
  const pipelines = result('pipelines') as
    { workload: BenchResult['workload']; pipelines: PipelineResult[]; references: ReferenceResult[] } | undefined;
  const dates = Object.values(files).map((f) => f.date);
  const newest = Object.values(files).sort((a, b) => b.date.localeCompare(a.date))[0];
  return {
    date: dates.sort().at(-1) ?? new Date().toISOString(),
    machine: newest?.machine,
    agent: 'local deterministic model (no network): the pipeline overhead alone',
    sections: Object.fromEntries(
      Object.entries(files).map(([name, f]) => [
        name,
        { date: f.date, machine: f.machine, load: f.load, durationSeconds: f.durationSeconds },
      ]),
    ),
    workload: pipelines?.workload as BenchResult['workload'],
    modelTurns: result('model-turns'),
    notice: result('notice'),
    pipelines: pipelines?.pipelines as PipelineResult[],
    references: pipelines?.references as ReferenceResult[],
    profile: result('profile'),
    footprint: result('footprint'),
    eventStorm: result('event-storm'),
    claimAttempts: result('claim-attempts'),
    contextFanout: result('context-fanout'),
  };
}

function writeAssembled(print: boolean): void {
  const assembled = assemble();
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(assembled, null, 2)}\n`);
  const report = renderReport(assembled, profileBefore());
  writeFileSync(join(ROOT, 'docs', 'performance.md'), report);
  if (print) process.stdout.write(report);
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  if (at >= 0) return process.argv[at + 1];
  return process.argv.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

const loadNow = () => loadavg().map((n) => Math.round(n * 100) / 100);

/**
 * The sections run the compiled service (dist/), so they build it first, as `npm start` does;
 * `--report-only` and `--list` read no code of the service and skip this.
 */
function buildService(): void {
  const require = createRequire(import.meta.url);
  step('building the service (nest build)');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

async function main(): Promise<void> {
  mkdirSync(SECTIONS_DIR, { recursive: true });
  if (process.argv.includes('--list')) {
    for (const s of SECTIONS) process.stdout.write(`${s.name.padEnd(16)} ${s.what}\n`);
    return;
  }
  if (process.argv.includes('--report-only')) {
    writeAssembled(false);
    return;
  }
  const only = option('--only');
  const wanted = only ? only.split(',').map((name) => name.trim()) : SECTIONS.map((s) => s.name);
  const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
  }
  const started = performance.now();
  const durations: Array<[string, number]> = [];
  buildService();
  const { serverVersion, startPostgres } = await import('./lib/postgres.mts');
  const postgres = await startPostgres();
  try {
    const machine: Machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${osType()} ${release()}`,
      node: process.version,
      postgres: await serverVersion(postgres.serverUrl),
    };
    for (const section of SECTIONS.filter((s) => wanted.includes(s.name))) {
      step(`[${section.name}] ${section.what}`);
      const loadBefore = loadNow();
      const sectionStarted = performance.now();
      const result = await section.run(postgres.serverUrl);
      const durationSeconds = Math.round((performance.now() - sectionStarted) / 100) / 10;
      durations.push([section.name, durationSeconds]);
      const load = { before: loadBefore, after: loadNow() };
      const file: SectionFile = {
        section: section.name,
        date: new Date().toISOString(),
        machine,
        load,
        durationSeconds,
        result,
      };
      writeFileSync(sectionPath(section.name), `${JSON.stringify(file, null, 2)}\n`);
      say(`[${section.name}] done in ${durationSeconds} s, load average ${load.after.join(' ')}`);
    }
  } finally {
    await postgres.stop();
  }
  writeAssembled(!only);
  for (const [name, seconds] of durations) process.stderr.write(`${name.padEnd(16)} ${seconds} s\n`);
  process.stderr.write(`${'total'.padEnd(16)} ${Math.round((performance.now() - started) / 1000)} s\n`);
}

main().then(
  // supabase-js's disconnect leaves a 10 s timer behind; nothing else is pending.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
