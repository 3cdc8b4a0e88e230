/**
 * `npm run bench`: the service's pipeline next to graphile-worker on the same machine and the
 * same PostgreSQL, in one run. Prints a table, writes bench/results/<date>.json and latest.json,
 * and rewrites the tables in docs/performance.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import {
  benchPipeline,
  LATENCY_SAMPLES,
  LOAD_MESSAGES_PER_USER,
  LOAD_USERS,
  type PipelineResult,
} from './engine.bench.mts';
import { benchFootprint } from './footprint.bench.mts';
import { benchGraphileWorker, type ReferenceResult } from './graphile-worker.bench.mts';
import { benchNoticeLatency } from './notice-latency.bench.mts';
import { serverVersion, startPostgres } from './lib/postgres.mts';
import { ScriptedModel } from '../test/support/scripted-model.ts';
import { renderReport } from './report.mts';

const ROOT = join(import.meta.dirname, '..');
const CONCURRENCY = 8;

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    // Re-render docs/performance.md from the last run's figures (after a change to the report's text).
    const last = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'latest.json'), 'utf8')) as Parameters<
      typeof renderReport
    >[0];
    writeFileSync(join(ROOT, 'docs', 'performance.md'), renderReport(last));
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
    process.stderr.write('notice latency of both feeds...\n');
    const notice = await benchNoticeLatency(postgres.serverUrl);
    const pipelines: PipelineResult[] = [];
    for (const instances of [1, 3]) {
      process.stderr.write(`pipeline with ${instances} instance(s)...\n`);
      pipelines.push(await benchPipeline(postgres.serverUrl, instances, env));
    }
    // Claude's request path through the real SDK, against an instant local stand-in of the API.
    process.stderr.write('pipeline with the Claude client against the stand-in...\n');
    const model = await ScriptedModel.start();
    try {
      const claudeEnv = { ...env, ANTHROPIC_API_KEY: 'bench-key', ANTHROPIC_BASE_URL: model.standIn.baseURL };
      pipelines.push(await benchPipeline(postgres.serverUrl, 1, claudeEnv, 'claude-stand-in'));
    } finally {
      await model.standIn.stop();
    }
    process.stderr.write('graphile-worker reference...\n');
    const reference: ReferenceResult = await benchGraphileWorker(
      postgres.serverUrl,
      LOAD_USERS * LOAD_MESSAGES_PER_USER,
      LATENCY_SAMPLES,
      CONCURRENCY,
    );
    process.stderr.write('start-up and memory...\n');
    const footprint = await benchFootprint(postgres.serverUrl, env);
    const result = {
      date: new Date().toISOString(),
      machine,
      agent: 'local deterministic model (no network): the pipeline overhead alone',
      workload: {
        latencySamples: LATENCY_SAMPLES,
        users: LOAD_USERS,
        messagesPerUser: LOAD_MESSAGES_PER_USER,
        concurrencyPerInstance: CONCURRENCY,
      },
      pipelines,
      reference,
      footprint,
      notice,
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    writeFileSync(join(ROOT, 'bench', 'results', `${result.date.slice(0, 10)}.json`), json);
    writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), json);
    const report = renderReport(result);
    writeFileSync(join(ROOT, 'docs', 'performance.md'), report);
    process.stdout.write(report);
  } finally {
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
