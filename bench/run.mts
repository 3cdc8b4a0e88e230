/**
 * `npm run bench`: the service's pipeline next to graphile-worker on the same machine and the
 * same PostgreSQL, in one run. Prints the report, writes bench/results/<date>.json and latest.json,
 * and rewrites docs/performance.md.
 *
 *   npm run bench                  # everything
 *   npm run bench -- --report-only # re-render docs/performance.md from bench/results/latest.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { benchEngineProfile, type EngineProfileResult } from './engine-profile.bench.mts';
import { benchPipeline, LATENCY_SAMPLES, type PipelineResult } from './engine.bench.mts';
import { benchFootprint } from './footprint.bench.mts';
import { benchGraphileWorker, type ReferenceResult } from './graphile-worker.bench.mts';
import { benchModelTurns, type PipelineMode } from './model-turns.bench.mts';
import { benchNoticeLatency } from './notice-latency.bench.mts';
import { serverVersion, startPostgres } from './lib/postgres.mts';
import { ScriptedModel } from './lib/scripted-model.mts';
import { LOAD_MESSAGES_PER_USER, LOAD_USERS } from './lib/workload.mts';
import { renderReport, type BenchResult } from './report.mts';

const ROOT = join(import.meta.dirname, '..');
const CONCURRENCY = 8;

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
const PROFILE_BEFORE = join(ROOT, 'bench', 'results', 'profile-before.json');
const profileBefore = (): EngineProfileResult | undefined =>
  existsSync(PROFILE_BEFORE) ? (JSON.parse(readFileSync(PROFILE_BEFORE, 'utf8')) as EngineProfileResult) : undefined;

const step = (what: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${what}...\n`);

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    const last = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'latest.json'), 'utf8')) as BenchResult;
    writeFileSync(join(ROOT, 'docs', 'performance.md'), renderReport(last, profileBefore()));
    return;
  }
  const postgres = await startPostgres();
  try {
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${osType()} ${release()}`,
      node: process.version,
      postgres: await serverVersion(postgres.serverUrl),
    };
    const env = { MAX_CONCURRENCY: String(CONCURRENCY), REALTIME_SOURCE: 'postgres' };

    step('model time: Bouncer and Concierge turns against the stand-in with a Sonnet-class latency profile');
    const modelTurns = await benchModelTurns(postgres.serverUrl, PIPELINE_MODES, env);

    step('notice latency of both feeds and both floors, one interleaved phase');
    const notice = await benchNoticeLatency(postgres.serverUrl);

    const pipelines: PipelineResult[] = [];
    const references: ReferenceResult[] = [];
    // Service and references alternate, so a slow stretch of this shared machine is not charged to one side.
    step('graphile-worker reference, one job per text');
    references.push(await benchGraphileWorker(postgres.serverUrl, LATENCY_SAMPLES, CONCURRENCY, false));
    step('pipeline with 1 instance');
    pipelines.push(await benchPipeline(postgres.serverUrl, 1, env));
    step('graphile-worker reference, job_key per user');
    references.push(await benchGraphileWorker(postgres.serverUrl, LATENCY_SAMPLES, CONCURRENCY, true));
    step('pipeline with 3 instances');
    pipelines.push(await benchPipeline(postgres.serverUrl, 3, env));
    // Claude's request path through the real SDK, against an instant local stand-in of the API.
    step('pipeline with the Claude client against the instant stand-in');
    const model = await ScriptedModel.start();
    try {
      const claudeEnv = { ...env, ANTHROPIC_API_KEY: 'bench-key', ANTHROPIC_BASE_URL: model.standIn.baseURL };
      pipelines.push(await benchPipeline(postgres.serverUrl, 1, claudeEnv, 'claude-stand-in'));
    } finally {
      await model.standIn.stop();
    }

    step('engine profile: statements per turn');
    const profile = await benchEngineProfile(postgres.serverUrl, env);

    step('start-up and memory at 1k, 10k and 100k waiting texts, and the reference');
    const footprint = await benchFootprint(postgres.serverUrl, env, CONCURRENCY);

    const result: BenchResult = {
      date: new Date().toISOString(),
      machine,
      agent: 'local deterministic model (no network): the pipeline overhead alone',
      workload: {
        latencySamples: LATENCY_SAMPLES,
        users: LOAD_USERS,
        messagesPerUser: LOAD_MESSAGES_PER_USER,
        concurrencyPerInstance: CONCURRENCY,
      },
      modelTurns,
      notice,
      pipelines,
      references,
      profile,
      footprint,
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    writeFileSync(join(ROOT, 'bench', 'results', `${result.date.slice(0, 10)}.json`), json);
    writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), json);
    const report = renderReport(result, profileBefore());
    writeFileSync(join(ROOT, 'docs', 'performance.md'), report);
    process.stdout.write(report);
  } finally {
    await postgres.stop();
  }
}

main().then(
  // supabase-js's disconnect leaves a 10 s timer behind; nothing else is pending.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
