import type { PipelineResult } from './engine.bench.mts';
import type { FootprintResult } from './footprint.bench.mts';
import type { NoticeLatencyResult } from './notice-latency.bench.mts';
import type { ReferenceResult } from './graphile-worker.bench.mts';

export interface BenchResult {
  date: string;
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string; postgres: string };
  agent: string;
  workload: { latencySamples: number; users: number; messagesPerUser: number; concurrencyPerInstance: number };
  pipelines: PipelineResult[];
  reference: ReferenceResult;
  footprint: FootprintResult;
  notice: NoticeLatencyResult;
}

const ms = (p: { p50: number; p95: number; p99: number }) => `${p.p50} / ${p.p95} / ${p.p99}`;

export function renderReport(result: BenchResult): string {
  const { machine, workload, reference } = result;
  const rows = result.pipelines.map(
    (p) =>
      `| realtime-processor, ${p.instances} instance${p.instances > 1 ? 's' : ''}, ${p.model === 'local' ? 'local model' : 'Claude client → stand-in'} | ${ms(p.idleLatencyMs)} | ${ms(p.loadLatencyMs)} | ${p.messagesPerSecond} msg/s (${p.turnsPerSecond} turns/s) |`,
  );
  const claude = result.pipelines.find((p) => p.model === 'claude-stand-in');
  return `# Performance

Measured by \`npm run bench\` on ${result.date.slice(0, 10)}; raw figures in \`bench/results/latest.json\`.

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}; Node ${machine.node};
PostgreSQL ${machine.postgres} (embedded, same machine). Service and reference ran one after the other
in the same run against the same PostgreSQL server.

Agent: ${result.agent}. Each service instance runs ${workload.concurrencyPerInstance} turns at once; the
reference runs graphile-worker with the same concurrency and a no-op task.

## Notice latency

Inbound row committed (COMMIT sent) → wake-up handed to the engine, one row at a time, ${result.notice.samples}
samples per listener, p50 / p95 / p99 in milliseconds. The feeds run in the benchmark process as the
service builds them; the bare clients are the floor of each transport, measured in the same run. The
Supabase path goes through the Realtime stand-in of \`test/support\`, which adds a hop (its own
NOTIFY, two queries, a WebSocket push) that real Supabase replaces with logical replication, so
compare the feed with bare supabase-js, not with LISTEN.

| listener | latency (ms) |
| --- | --- |
| bare \`pg\` LISTEN (floor) | ${ms(result.notice.latencyMs.bareListen)} |
| postgres feed | ${ms(result.notice.latencyMs.postgresFeed)} |
| bare supabase-js on the stand-in (floor) | ${ms(result.notice.latencyMs.bareSupabaseJs)} |
| supabase feed on the stand-in | ${ms(result.notice.latencyMs.supabaseFeed)} |

## Pipeline overhead and throughput

Latency columns are p50 / p95 / p99 in milliseconds. For the service: inbound row committed →
reply row committed (claim, context, agent, fenced commit). For graphile-worker: job committed →
task started (it does not include completing the job). Idle: ${workload.latencySamples} texts one at a time.
Load: ${workload.users} users × ${workload.messagesPerUser} texts in bursts of 1–4 texts per transaction, inserted
as fast as 8 connections allow; throughput is texts (or jobs) per second from the first insert to the
last reply (or job start).

| system | idle latency (ms) | latency under load (ms) | throughput |
| --- | --- | --- | --- |
${rows.join('\n')}
| graphile-worker ${'(reference)'}, 1 process | ${ms(reference.idleLatencyMs)} | ${ms(reference.loadLatencyMs)} | ${reference.jobsPerSecond} jobs/s |

A turn answers every text of a burst at once, so turns/s is lower than texts/s by design.

Reading these figures: graphile-worker's latency ends when a no-op task starts; the service's ends
when a whole turn is committed (claim transaction, context queries, agent, fenced commit
transaction), so its floor is a few milliseconds higher by construction. Under the burst load the
texts arrive faster than one instance commits turns, so the load latency is mostly time spent
waiting in the backlog, not per-turn cost. On this 2-core machine the three instances share the
cores with PostgreSQL and with each other, so they do not add throughput here; on Cloud Run each
instance has its own CPU. Either way the capacity is far above SMS traffic, where the model's own
seconds dominate the 3 s budget.
${
  claude?.idleOverheadMs
    ? `
With the Claude client (the real SDK over HTTP to an instant local stand-in of the Messages API, two
calls per turn), the turn's own overhead — idle latency minus the time spent in model calls as
logged in \`agent_actions_log\` — is ${ms(claude.idleOverheadMs)} ms (p50 / p95 / p99). Against the real API the
model's own time comes on top; the 3 s budget is the model's.
`
    : ''
}
## Start-up and memory

| figure | value |
| --- | --- |
| process start → both subscriptions connected | ${result.footprint.startToConnectedMs} ms |
| resident memory, idle | ${result.footprint.rssIdleMb} MB |
| resident memory, peak while working off ${result.footprint.backlogMessages} texts waiting at start-up | ${result.footprint.rssBacklogPeakMb} MB |
| time to work off that backlog | ${result.footprint.backlogDrainSeconds} s |

The backlog is read in bounded pages and wake-ups beyond the bounded queue are left to the next
sweep, so memory stays flat however many rows wait.
`;
}
