/**
 * Renders docs/performance.md from one run's figures. Every statement in it is computed from those
 * figures (comparisons, goals met or not, growth of memory); the fixed prose only says what was
 * measured and how.
 */
import type { AffinityMode, ClaimAttemptsResult, ClaimAttemptsRun } from './claim-attempts.bench.mts';
import type { ContextFanoutResult } from './context-fanout.bench.mts';
import type { EngineProfileResult } from './engine-profile.bench.mts';
import type { PipelineResult } from './engine.bench.mts';
import type { EventStormResult } from './event-storm.bench.mts';
import type { FootprintResult, ProcessFootprint } from './footprint.bench.mts';
import type { ReferenceResult } from './graphile-worker.bench.mts';
import type { AgentKind, ModelTurnsResult } from './model-turns.bench.mts';
import type { NoticeLatencyResult } from './notice-latency.bench.mts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  postgres: string;
}

/** When and under what load a section was measured. */
export interface SectionMeta {
  date: string;
  machine: Machine;
  /** Load average (1, 5, 15 min) of the machine before and after the section ran. */
  load?: { before: number[]; after: number[] };
  durationSeconds?: number;
}

export interface BenchResult {
  date: string;
  machine: Machine;
  /** Per section: when it was last measured (sections are refreshed one at a time). */
  sections?: Record<string, SectionMeta>;
  agent: string;
  workload: { latencySamples: number; users: number; messagesPerUser: number; concurrencyPerInstance: number };
  modelTurns: ModelTurnsResult;
  notice: NoticeLatencyResult;
  pipelines: PipelineResult[];
  references: ReferenceResult[];
  profile: EngineProfileResult;
  footprint: FootprintResult;
  eventStorm?: EventStormResult;
  claimAttempts?: ClaimAttemptsResult;
  contextFanout?: ContextFanoutResult;
}

type Percentiles = { p50: number; p95: number; p99: number };
const ms = (p: Percentiles) => `${p.p50} / ${p.p95} / ${p.p99}`;
const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
const percent = (share: number) => `${Math.round(share * 100)} %`;
const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const AGENTS: AgentKind[] = ['bouncer', 'concierge'];
const agentName = (agent: AgentKind) => (agent === 'bouncer' ? 'Bouncer' : 'Concierge');

/** Optional figures: earlier runs' JSON lacks them, and --report-only must still render. */
function section(render: () => string): string {
  try {
    return render();
  } catch {
    return '';
  }
}

function modelTimeSection(result: ModelTurnsResult): string {
  const { profile } = result;
  const rows = result.modes.flatMap((mode) =>
    AGENTS.map((agent) => {
      const turns = mode.agents[agent];
      return `| ${mode.name}${mode.reference ? ' (reference)' : ''} | ${agentName(agent)} | ${seconds(turns.latencyMs.p50)} | ${seconds(turns.latencyMs.p95)} | ${turns.roundTrips.p50} (max ${turns.roundTrips.max}) | ${turns.modelCallsPerTurn} | ${turns.outputTokensPerCall} | ${turns.abandonedCalls ?? '–'} | ${turns.retriedTurns ?? '–'} of ${turns.latencyMs.n} |`;
    }),
  );
  const cacheRows = result.modes.flatMap((mode) =>
    AGENTS.map((agent) => {
      const conversation = mode.conversation[agent];
      return `| ${mode.name} | ${agentName(agent)} | ${percent(conversation.perTurn[0] ?? 0)} | ${percent(conversation.fromTurn2)} | ${conversation.perTurn.map(percent).join(', ')} | ${(conversation.roundTrips ?? []).join(', ')} |`;
    }),
  );
  const goals = result.modes.flatMap((mode) =>
    AGENTS.map((agent) => {
      const turns = mode.agents[agent];
      const cache = mode.conversation[agent].fromTurn2;
      return `- ${mode.name}, ${agentName(agent)}: p95 ${seconds(turns.latencyMs.p95)} ≤ 3.0 s ${met(turns.latencyMs.p95 <= 3000)}; one round trip on the common path (median ${turns.roundTrips.p50}) ${met(turns.roundTrips.p50 <= 1)}; cache share from turn 2 ${percent(cache)} ≥ 60 % ${met(cache >= 0.6)}.`;
    }),
  );
  // Calls the SDK gave up on (its per-attempt timeout) before the stand-in answered: each costs
  // the whole timeout and then a retry, or fails the attempt and waits for the engine's retry.
  const cut = result.modes.flatMap((mode) =>
    AGENTS.flatMap((agent) => {
      const turns = mode.agents[agent];
      if (!turns.abandonedCalls && !turns.unanswered) return [];
      const calls = Math.round(turns.modelCallsPerTurn * turns.latencyMs.n);
      return [
        `- ${mode.name}, ${agentName(agent)}: the client cut ${turns.abandonedCalls} of ${calls} model calls before their answer came (its per-attempt timeout), and ${turns.retriedTurns} of ${turns.latencyMs.n} answered turns needed an engine retry: these make the p95.${turns.unanswered ? ` ${turns.unanswered} more turns had no reply within 3 minutes and are left out of the latency figures.` : ''}`,
      ];
    }),
  );
  const reference = result.modes.find((mode) => mode.reference);
  const others = result.modes.filter((mode) => !mode.reference);
  const comparisons = reference
    ? others.flatMap((mode) =>
        AGENTS.map(
          (agent) =>
            `- ${agentName(agent)}: ${mode.name} p50 ${seconds(mode.agents[agent].latencyMs.p50)} against the reference's ${seconds(reference.agents[agent].latencyMs.p50)} (${times(mode.agents[agent].latencyMs.p50, reference.agents[agent].latencyMs.p50)}), p95 ${seconds(mode.agents[agent].latencyMs.p95)} against ${seconds(reference.agents[agent].latencyMs.p95)}.`,
        ),
      )
    : [];
  return `## Model time: a turn against a Sonnet-class latency

Bouncer and Concierge turns through the real Anthropic SDK against the stand-in of
\`test/support/anthropic-stand-in.ts\`, which holds each answer for the model's time to first token
(log-normal, median ${profile.timeToFirstTokenMs} ms, sigma ${profile.timeToFirstTokenSigma}) plus its output tokens at
${profile.outputTokensPerSecond} tokens/s, the default profile for \`${result.model}\`. Sources of those figures:
Artificial Analysis as quoted for Claude Sonnet 4.5 (63 output tokens/s, 1.80 s to first token) and
AWS's Claude latency guide (Sonnet 4.6: 80–120 output tokens/s); the default sits between them.
The stand-in caches a prefix only from ${result.minCacheableTokens} tokens on (one token ≈ 4 characters), as the API does
for Sonnet-class models. Output sizes are the scripted model's: an SMS reply of about 45 tokens; a
decision fills what its schema asks for, so the one-call decision carries the reply and no note,
and the two-call reference's decision a short note and no reply (its render writes the reply, from
a static prefix that caches like the decision's). The scripted model proposes the first scenario of
the list every time and collects nothing: in the Bouncer's conversation the onboarding state
machine corrects that scenario from the second turn on, and the reply is then rendered in a second
call, as it must be when a rule changes what the reply says (the conversation's round trips show
it; a model that follows the prompt names the step the state machine picks).

Each pipeline runs as its own instance, database and stand-in, in the same run, with samples
interleaved; ${result.samplesPerAgent} turns per agent and pipeline, each a new user's first text. Latency is
inbound row committed → first reply row committed. Round trips are sequential model calls
(overlapping calls count once).

| pipeline | agent | p50 | p95 | round trips per turn | model calls per turn | output tokens per call | calls cut by the client | turns retried by the engine |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
${comparisons.length > 0 ? `\n${comparisons.join('\n')}\n` : ''}${cut.length > 0 ? `\n${cut.join('\n')}\n` : ''}
Prompt cache over one 10-turn conversation per agent and pipeline: the share of input tokens read
from the cache (read ÷ (read + written + uncached)), per turn.

| pipeline | agent | turn 1 | turns 2–10 | per turn | round trips per turn |
| --- | --- | --- | --- | --- | --- |
${cacheRows.join('\n')}

Goals (issue: p95 ≤ 3.0 s, one model round trip on the common path, ≥ 60 % of input tokens from
the cache from the second turn on):

${goals.join('\n')}
`;
}

function noticeSection(notice: NoticeLatencyResult): string {
  const { latencyMs } = notice;
  const feedCost = (feed: Percentiles, floor: Percentiles) => (feed.p50 - floor.p50).toFixed(2);
  return `## Notice latency

Inbound row committed (COMMIT sent) → wake-up handed to the engine, one row at a time, ${notice.samples}
rows, p50 / p95 / p99 in milliseconds. All four listeners were connected at once and timed on the
same rows, in one phase. The feeds run in the benchmark process as the service builds them; the
bare clients are the floor of each transport. The Supabase path goes through the Realtime stand-in
of \`test/support\`, which adds a hop (its own NOTIFY, two queries, a WebSocket push) that real
Supabase replaces with logical replication, so compare the feed with bare supabase-js, not with
LISTEN.

| listener | latency (ms) |
| --- | --- |
| bare \`pg\` LISTEN (floor) | ${ms(latencyMs.bareListen)} |
| postgres feed | ${ms(latencyMs.postgresFeed)} |
| bare supabase-js on the stand-in (floor) | ${ms(latencyMs.bareSupabaseJs)} |
| supabase feed on the stand-in | ${ms(latencyMs.supabaseFeed)} |

At the median the postgres feed adds ${feedCost(latencyMs.postgresFeed, latencyMs.bareListen)} ms to bare LISTEN and the supabase feed
adds ${feedCost(latencyMs.supabaseFeed, latencyMs.bareSupabaseJs)} ms to bare supabase-js (a negative figure: the feed was
faster than its floor, i.e. within noise). COMMIT sent → acknowledged took ${ms(notice.commitMs)} ms.
`;
}

function throughputSection(result: BenchResult): string {
  const { workload, pipelines, references } = result;
  const one = pipelines.find((p) => p.instances === 1 && p.model === 'local');
  const three = pipelines.find((p) => p.instances === 3 && p.model === 'local');
  const claude = pipelines.find((p) => p.model === 'claude-stand-in');
  const plain = references.find((r) => !r.debounced);
  const keyed = references.find((r) => r.debounced);
  const rows = [
    ...pipelines.map(
      (p) =>
        `| realtime-processor, ${p.instances} instance${p.instances > 1 ? 's' : ''}, ${p.model === 'local' ? 'local model' : 'Claude client → instant stand-in'} | ${ms(p.idleLatencyMs)} | ${ms(p.loadLatencyMs)} | ${p.messagesPerSecond} | ${p.turnsPerSecond} turns/s | ${(p.messages / p.turns).toFixed(2)} |`,
    ),
    ...references.map(
      (r) =>
        `| ${r.name} (reference), 1 process | ${ms(r.idleLatencyMs)} | ${ms(r.loadLatencyMs)} | ${r.textsPerSecond} | ${r.jobsPerSecond} jobs/s | ${(r.texts / r.jobs).toFixed(2)} |`,
    ),
  ];
  const lines: string[] = [];
  if (one && plain && keyed) {
    lines.push(
      `- Per unit of work: one instance completed ${one.turnsPerSecond} turns/s, ${times(one.turnsPerSecond, plain.jobsPerSecond)} graphile-worker's ${plain.jobsPerSecond} jobs/s (one job per text) and ${times(one.turnsPerSecond, keyed.jobsPerSecond)} the keyed reference's ${keyed.jobsPerSecond} jobs/s. Goal (turns/s on one instance ≥ graphile-worker's completed jobs/s, same run): ${met(one.turnsPerSecond >= plain.jobsPerSecond)} against one job per text, ${met(one.turnsPerSecond >= keyed.jobsPerSecond)} against the keyed reference.`,
      `- Per text: one instance answered ${one.messagesPerSecond} texts/s against ${plain.textsPerSecond} and ${keyed.textsPerSecond} texts/s for the two references; it folded ${(one.messages / one.turns).toFixed(2)} texts into a turn, the keyed reference ${(keyed.texts / keyed.jobs).toFixed(2)} texts into a job.`,
      `- Idle, to the committed result: p50 ${one.idleLatencyMs.p50} ms for a turn against ${plain.idleLatencyMs.p50} ms for a no-op job (job committed → task started: ${plain.idleStartMs.p50} ms). Goal (overhead p50 ≤ 3 ms at idle): ${met(one.idleLatencyMs.p50 <= 3)}.`,
      `- Under the burst load, from each burst's commit: p50 ${one.loadLatencyMs.p50} ms for one instance against ${plain.loadLatencyMs.p50} ms and ${keyed.loadLatencyMs.p50} ms for the references (${one.burstsMeasured} of ${one.bursts} bursts matched to their reply).`,
    );
  }
  if (one && three) {
    const more = three.messagesPerSecond > one.messagesPerSecond;
    lines.push(
      `- Three instances answered ${three.messagesPerSecond} texts/s, ${more ? 'more' : 'fewer'} than one instance's ${one.messagesPerSecond} (${times(three.messagesPerSecond, one.messagesPerSecond)}), on ${result.machine.cores} cores shared with PostgreSQL and the load generator.`,
    );
  }
  if (claude?.idleOverheadMs) {
    lines.push(
      `- With the Claude client (the real SDK over HTTP to an instant stand-in, ${claude.idleOverheadMs.n} turns), idle latency minus the time in model calls logged in \`agent_actions_log\` is ${ms(claude.idleOverheadMs)} ms (p50 / p95 / p99).`,
    );
  }
  return `## Throughput per unit, and latency under load

Latency columns are p50 / p95 / p99 in milliseconds. Service: inbound row committed → reply row
committed (claim, context, agent, fenced commit). References: job committed → job completed (its
deletion committed, read by a bench trigger), a no-op task. Idle: ${workload.latencySamples} texts (jobs) one at
a time. Load: ${workload.users} users × ${workload.messagesPerUser} texts in bursts of 1–4 texts per transaction, as fast as 8
connections insert; latency from each burst's commit to the commit of the turn (job) that answered
its first text; throughput from the first insert to the last reply (completion). One instance and
each reference run ${workload.concurrencyPerInstance} at once. The references get the same bursts, one \`add_job\` per text in the
burst's transaction; the keyed one sets \`job_key\` to the user (mode replace), graphile-worker's own
way of folding waiting work per user. Service and references alternate in the run.

| system | idle latency (ms) | load latency (ms) | texts/s | units/s | texts per unit |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

${lines.join('\n')}
`;
}

/** Transactions per turn: statements that open one (a durable BEGIN or one with settings). */
const transactions = (profile: EngineProfileResult) =>
  profile.statements.filter((s) => s.statement.startsWith('BEGIN')).reduce((sum, s) => sum + s.perTurn, 0);

/**
 * Statement shapes whose count per turn differs between the recorded profile and this run. The
 * counts do not depend on the machine; the code under them does: statements removed by the
 * changes below and statements other work added since both show.
 */
function profileChange(profile: EngineProfileResult, before: EngineProfileResult): string {
  const count = (p: EngineProfileResult) => new Map(p.statements.map((s) => [s.statement, s.perTurn]));
  const [was, now] = [count(before), count(profile)];
  const shapes = [...new Set([...was.keys(), ...now.keys()])];
  const delta = shapes
    .map((shape) => ({ shape, by: Math.round(((now.get(shape) ?? 0) - (was.get(shape) ?? 0)) * 100) / 100 }))
    .filter(({ by }) => by !== 0);
  const list = (items: typeof delta) =>
    items.map(({ shape, by }) => `\`${shape.split(' ').slice(0, 6).join(' ')}…\` ${by > 0 ? '+' : ''}${by}`).join('; ');
  const fewer = delta.filter(({ by }) => by < 0);
  const more = delta.filter(({ by }) => by > 0);
  return `The profile recorded before the changes below (\`bench/results/profile-before.json\`, same method) counted ${before.roundTripsPerTurn} statements per turn in ${transactions(before)} transactions; this run counts ${profile.roundTripsPerTurn} in ${transactions(profile)}. Shapes sent less often per turn: ${list(fewer) || 'none'}. Shapes sent more often or new: ${list(more) || 'none'} (a rewritten statement shows as one less and one new; statements added since by other work show here too).`;
}

function profileSection(profile: EngineProfileResult, before?: EngineProfileResult): string {
  const rows = profile.statements.map(
    (s) => `| \`${s.statement.replace(/\|/g, '\\|')}\` | ${s.perTurn} | ${s.meanMs} |`,
  );
  const change = before ? profileChange(profile, before) : '';
  const top = profile.statements[0];
  const means = profile.statements.map((s) => s.meanMs);
  const perStatement = profile.databaseMsPerTurn / profile.roundTripsPerTurn;
  const spread =
    means.length > 0
      ? ` A statement took ${perStatement.toFixed(2)} ms on average, the slowest shape ${Math.max(...means)} ms and the fastest ${Math.min(...means)} ms: ${Math.max(...means) <= 2 * perStatement ? `no shape costs more than ${(Math.max(...means) / perStatement).toFixed(1)}× the average, so the wait per turn is the number of round trips times their cost, not one slow statement` : 'one shape costs more than twice the average'}.`
      : '';
  const topLine = top
    ? `The largest share of that wait is \`${top.statement.split(' ').slice(0, 3).join(' ')}\`: ${top.perTurn} per turn at ${top.meanMs} ms, ${((top.perTurn * top.meanMs * 100) / profile.databaseMsPerTurn).toFixed(0)} % of the database time.`
    : '';
  const changes = before
    ? `
What changed after the first profile, each in its own commit:

- a turn's log rows (one per model call, tone check and decision) and its events are written with
  one statement per table instead of one per row;
- the check for a message waiting out a retry delay is part of the claim statement; it runs alone
  only when nothing was claimed, to tell a deferred user from an idle one;
- the done-marker and the release of the claim are one statement;
- the claim transaction commits without waiting for the WAL flush (\`synchronous_commit\` off for
  that transaction only): a claim lost in a database crash only lets the turn be claimed again,
  its holder's commit then fails the fence, and the turn's own commit, which waits, flushes it.

Changed since, measured in their own sections: user turns got their own scheduler lane ahead of
event handlers (\`TURN_PRIORITY\`, section \`event-storm\`), and named statements became an
option (\`DB_PREPARED_STATEMENTS\`, off by default, compared above). Neither changes the
statements a turn sends.

Not changed: the agent's context reads and task statements (the agents' repositories), and the
claim's three statements (take the claim, refuse bad rows, claim the rest) that could become one.
`
    : '';
  const prepared = profile.prepared;
  const preparedLine = prepared
    ? (() => {
        const runs = (p: EngineProfileResult) => [
          p.databaseMsPerTurn,
          ...(p.repeatDatabaseMsPerTurn ? [p.repeatDatabaseMsPerTurn] : []),
        ];
        const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
        const [on, off] = [runs(prepared), runs(profile)];
        return `\n\nThe same measurement with \`DB_PREPARED_STATEMENTS=true\` (parameterised statements named, so each connection parses and plans them once), runs ordered without, with, with, without: ${prepared.roundTripsPerTurn} statements per turn against ${profile.roundTripsPerTurn}, and ${on.join(' and ')} ms waiting for PostgreSQL per turn against ${off.join(' and ')} ms without (mean ${times(mean(on), mean(off))}). ${mean(on) < mean(off) ? 'Named statements waited less in this run' : 'Named statements did not wait less in this run'}; they do not change the number of round trips. The option stays off by default: Supabase's transaction-mode pooler does not keep prepared statements.`;
      })()
    : '';
  return `## Engine profile

Every statement one service instance sends through \`pg\`, counted by a preload
(\`bench/lib/query-profile.js\`) over ${profile.turns} turns on the local model, one text at a time; times are
send → result as the service sees them. A turn sends ${profile.roundTripsPerTurn} statements (each a round trip) in
${transactions(profile)} transactions and waits ${profile.databaseMsPerTurn} ms for PostgreSQL.${spread} ${topLine} ${change}${preparedLine}

| statement (first 90 characters) | per turn | mean ms |
| --- | --- | --- |
${rows.join('\n')}
${changes}`;
}

function footprintSection(footprint: FootprintResult): string {
  const { service, serviceHeapCapped: capped, reference } = footprint;
  const columns = [service, ...(capped ? [capped] : []), reference];
  const waiting = service.backlogs.map((point) => point.waiting);
  const cell = (f: ProcessFootprint, n: number, pick: (p: ProcessFootprint['backlogs'][number]) => string) => {
    const point = f.backlogs.find((p) => p.waiting === n);
    return point ? pick(point) : '–';
  };
  const row = (label: string, value: (f: ProcessFootprint) => string) =>
    `| ${label} | ${columns.map(value).join(' | ')} |`;
  const rows = [
    row('process start → ready', (f) => `${f.startToReadyMs} ms`),
    row('resident memory, idle', (f) => `${f.rssIdleMb} MB`),
    ...waiting.map((n) =>
      row(`peak resident memory, ${n.toLocaleString('en-US')} waiting at start`, (f) =>
        cell(f, n, (p) => `${p.rssPeakMb} MB`),
      ),
    ),
    ...waiting.map((n) =>
      row(`time to work off ${n.toLocaleString('en-US')}`, (f) => cell(f, n, (p) => `${p.drainSeconds} s`)),
    ),
  ];
  const growth = (f: ProcessFootprint) => {
    const first = f.backlogs[0];
    const last = f.backlogs[f.backlogs.length - 1];
    return `${f.name}: ${first.rssPeakMb} MB at ${first.waiting.toLocaleString('en-US')} → ${last.rssPeakMb} MB at ${last.waiting.toLocaleString('en-US')} (${last.rssPeakMb >= first.rssPeakMb ? '+' : ''}${(last.rssPeakMb - first.rssPeakMb).toFixed(1)} MB for ${last.waiting / first.waiting}× the backlog)`;
  };
  const header = [
    'realtime-processor',
    ...(capped ? [`heap capped at ${capped.heapCapMb} MB`] : []),
    'graphile-worker (reference)',
  ];
  const cappedNote = capped
    ? `\nThe middle column is the same service with \`NODE_OPTIONS=--max-old-space-size=${capped.heapCapMb}\`, what the image's
entrypoint (scripts/docker-entrypoint.sh) sets in a 512 MiB container (half its memory limit). Without
a cap V8 sizes its heap from this machine's memory, so it lets garbage build up before a full
collection; the difference between the two columns is that garbage, not live data.\n`
    : '';
  return `## Start-up and memory

Each backlog was written while the process was down (the service: users × 10 texts; the reference:
one no-op job per text), then the process was started and its resident memory sampled every 100 ms
until nothing was left. Ready: for the service, \`/health\` shows both subscriptions connected; for
graphile-worker, its runner has started.
${cappedNote}
| figure | ${header.join(' | ')} |
| ${header.map(() => '---').join(' | ')} | --- |
${rows.join('\n')}

Peak memory against backlog size: ${columns.map(growth).join('; ')}.
`;
}

function sectionsTable(sections: Record<string, SectionMeta>): string {
  const rows = Object.entries(sections).map(
    ([name, meta]) =>
      `| \`${name}\` | ${meta.date.slice(0, 16).replace('T', ' ')} UTC | ${meta.load ? `${meta.load.before[0]} → ${meta.load.after[0]}` : '–'} | ${meta.durationSeconds !== undefined ? `${meta.durationSeconds} s` : '–'} |`,
  );
  return `| section | measured | load average (1 min) before → after | took |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
}

function eventStormSection(storm: EventStormResult): string {
  const rows = storm.modes.map(
    (m) =>
      `| ${m.name} | ${m.replyLatencyMs.p50} | ${m.replyLatencyMs.p95} | ${m.replyLatencyMs.max} | ${m.replyLatencyMs.n} of ${m.texts} | ${m.stormSeconds} s | ${m.eventsPerSecond} |`,
  );
  const on = storm.modes.filter((m) => m.priority);
  const off = storm.modes.filter((m) => !m.priority);
  const lines: string[] = [];
  if (on.length > 0 && off.length > 0) {
    const list = (ms: StormModeLike[], pick: (m: StormModeLike) => number, unit: string) =>
      ms.map((m) => `${pick(m)}${unit}`).join(' and ');
    const mean = (ms: StormModeLike[], pick: (m: StormModeLike) => number) =>
      ms.reduce((sum, m) => sum + pick(m), 0) / ms.length;
    const p50 = (m: StormModeLike) => m.replyLatencyMs.p50;
    const p95 = (m: StormModeLike) => m.replyLatencyMs.p95;
    const drain = (m: StormModeLike) => m.stormSeconds;
    lines.push(
      `- Reply latency p50 per run: ${list(on, p50, ' ms')} with user turns first against ${list(off, p50, ' ms')} with one lane (mean ${times(mean(off, p50), mean(on, p50))} longer without priority); p95 ${list(on, p95, ' ms')} against ${list(off, p95, ' ms')}. Goal (an SMS reply within 3 s): every p95 with user turns first ${met(on.every((m) => p95(m) <= 3000))}, with one lane ${met(off.every((m) => p95(m) <= 3000))}.`,
      `- The events still ran: the storm drained in ${list(on, drain, ' s')} with user turns first against ${list(off, drain, ' s')} with one lane (mean ${times(mean(on, drain), mean(off, drain))} the one-lane time).`,
    );
  }
  return `## Reply latency during an event storm

One instance (${storm.concurrency} slots, local model). ${storm.events.toLocaleString('en-US')} \`${storm.eventType}\` events (a real handled type: it
updates the member's activity) are written in one statement; right after, texts from new users
arrive one at a time, ${storm.modes[0]?.texts ?? 0} per run. Latency: inbound row committed → first reply row committed, in
milliseconds, for the texts committed while events were still pending. With \`TURN_PRIORITY=false\`
turns and events share one first-come queue (the reference); with the default, turns have their
own queue, a quarter of the slots is kept for them, and events get one start in eight while both
wait. The two modes alternate, twice, each on its own database. These handlers do database work
only; none calls the model.

| mode | p50 (ms) | p95 (ms) | max (ms) | texts measured | storm drained in | events/s |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

${lines.join('\n')}
`;
}

const affinityOf = (run: ClaimAttemptsRun): AffinityMode => run.affinity ?? 'off';
const perTurn = (run: ClaimAttemptsRun) => (run.attempts / Math.max(1, run.turns)).toFixed(2);
const answeredCell = (run: ClaimAttemptsRun) =>
  run.answeredMs ? `${run.answeredMs.p50} / ${run.answeredMs.p95} / ${run.answeredMs.max}` : '–';
const change = (from: number, to: number) =>
  from === 0 ? '–' : `${to - from >= 0 ? '+' : '−'}${Math.abs(Math.round(((to - from) / from) * 100))} %`;

/** The mean figures of every run of one size and mode (the section runs each twice: off, on, on, off). */
interface ModeMeans {
  runs: number;
  attemptsPerText: number;
  wastedPerText: number;
  attemptsPerTurn: number;
  seconds: number;
  p95: number;
}

function modeMeans(claims: ClaimAttemptsResult, instances: number, mode: AffinityMode): ModeMeans | undefined {
  const runs = claims.runs.filter((run) => run.instances === instances && affinityOf(run) === mode);
  if (runs.length === 0 || runs.some((run) => !run.answeredMs)) return undefined;
  const mean = (value: (run: ClaimAttemptsRun) => number, digits = 2) =>
    Math.round((runs.reduce((sum, run) => sum + value(run), 0) / runs.length) * 10 ** digits) / 10 ** digits;
  return {
    runs: runs.length,
    attemptsPerText: mean((run) => run.attemptsPerText),
    wastedPerText: mean((run) => run.wastedPerText),
    attemptsPerTurn: mean((run) => run.attempts / Math.max(1, run.turns)),
    seconds: mean((run) => run.seconds, 1),
    p95: mean((run) => run.answeredMs!.p95, 0),
  };
}

/**
 * Whether claim affinity pays, from the runs' means: at the largest instance count it must cut the
 * wasted attempts per text at least in half without making the reply latency (p95) or the time to
 * answer everything more than 10 % worse, and in the failover run with it on every text must be answered.
 */
export function affinityVerdict(claims: ClaimAttemptsResult): { pays: boolean; why: string } | undefined {
  const largest = Math.max(...claims.runs.map((run) => run.instances));
  const off = modeMeans(claims, largest, 'off');
  const on = modeMeans(claims, largest, 'on');
  if (!off || !on) return undefined;
  const failover = claims.failover?.find((run) => affinityOf(run) === 'on');
  const halved = on.wastedPerText <= off.wastedPerText / 2;
  const latencyHeld = on.p95 <= off.p95 * 1.1;
  const timeHeld = on.seconds <= off.seconds * 1.1;
  const failoverHeld = !!failover && failover.answered === failover.texts;
  const why =
    `with ${largest} instances (means of ${off.runs} runs each), wasted attempts per text ${off.wastedPerText} → ${on.wastedPerText}` +
    ` (${halved ? 'at least halved' : 'not halved'}), p95 ${off.p95} → ${on.p95} ms` +
    ` (${change(off.p95, on.p95)}), all answered in ${off.seconds} → ${on.seconds} s` +
    ` (${change(off.seconds, on.seconds)}); failover with affinity on: ` +
    (failover ? `${failover.answered} of ${failover.texts} answered` : 'not measured');
  return { pays: halved && latencyHeld && timeHeld && failoverHeld, why };
}

function claimAttemptsSection(claims: ClaimAttemptsResult, profile?: EngineProfileResult): string {
  const rows = claims.runs.map(
    (r) =>
      `| ${r.instances} | ${affinityOf(r)} | ${r.texts} | ${r.turns} | ${r.attempts} | ${r.busy} | ${r.empty} | ${r.attemptsPerText} | ${r.wastedPerText} | ${perTurn(r)} | ${r.seconds} s | ${answeredCell(r)} |`,
  );
  const sizes = [...new Set(claims.runs.map((run) => run.instances))];
  const repeats = claims.runs.filter((run) => run.instances === sizes[0] && affinityOf(run) === 'off').length;
  const lines = sizes.flatMap((instances) => {
    const off = modeMeans(claims, instances, 'off');
    const on = modeMeans(claims, instances, 'on');
    const label = `${instances} instance${instances > 1 ? 's' : ''}`;
    if (!off) return [];
    const offLine = `${off.attemptsPerText} claim attempts per text, ${off.attemptsPerTurn.toFixed(2)} per committed turn, ${off.wastedPerText} wasted per text`;
    if (!on) return [`- ${label}: ${offLine}.`];
    return [
      `- ${label} (means of ${off.runs} and ${on.runs} runs), affinity off: ${offLine}. On: ${on.attemptsPerText} per text (${change(off.attemptsPerText, on.attemptsPerText)}), ${on.attemptsPerTurn.toFixed(2)} per turn, ${on.wastedPerText} wasted per text; all answered in ${off.seconds} → ${on.seconds} s (${change(off.seconds, on.seconds)}), p95 ${off.p95} → ${on.p95} ms (${change(off.p95, on.p95)}).`,
    ];
  });
  const busyStatements = profile?.statements.find((s) => s.statement.startsWith('INSERT INTO processing_claims'));
  const settings = claims.settings;
  const failoverRows = (claims.failover ?? []).map(
    (r) =>
      `| ${affinityOf(r)} | ${r.answered} of ${r.texts} | ${r.heldByKilled} | ${r.worstHeldMs ?? '–'} | ${r.worstOtherMs} | ${r.attemptsPerText} | ${r.seconds} s | ${answeredCell(r)} |`,
  );
  const heldLabel =
    claims.failover?.[0]?.heldScope === 'user'
      ? 'texts of users whose claim the killed instance held'
      : "texts under the killed instance's claims";
  const failover = claims.failover?.length
    ? `
Failover: ${claims.failover[0].instances} instances under the same load; once half of the bursts are in, one instance is killed
with SIGKILL. The texts of users whose claim it held (their turn in flight) wait for its lease to expire (CLAIM_LEASE_MS, ${claims.failover[0].leaseMs} ms), with or
without affinity; with affinity, the texts it owned but had not claimed are taken over when the others see its heartbeat stop
(${settings ? `${settings.heartbeatMs} ms heartbeat, gone after three` : 'three heartbeats'}) or, at the latest, by any sweep once due longer than the grace${settings ? ` (${settings.graceMs} ms, sweep every ${settings.sweepIntervalMs} ms)` : ''}.

| affinity | answered | ${heldLabel} | worst delay of those (ms) | worst delay of every other text (ms) | attempts per text | all answered in | text → commit p50 / p95 / max (ms) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${failoverRows.join('\n')}
`
    : '';
  const verdict = affinityVerdict(claims);
  const verdictLine = verdict
    ? `\n**${verdict.pays ? 'Affinity pays' : 'Affinity does not pay'}** by the rule (wasted attempts at least halved at the largest size, p95 and time to answer everything no more than 10 % worse, every text answered in the failover run): ${verdict.why}.${settings?.defaultAffinity !== undefined ? ` The default when this ran: \`CLAIM_AFFINITY=${settings.defaultAffinity}\`.` : ''}\n`
    : '';
  return `## Claim attempts per text

Without claim affinity, every instance is woken by every text and tries to claim the user's turn; the claim in
PostgreSQL decides. With it (\`CLAIM_AFFINITY=true\`), only the user's owner among the live instances
(rendezvous hashing over heartbeats) acts on a fresh wake-up; the others leave it, and take it only from
a sweep once it has been due longer than the grace. ${claims.users} users × ${claims.textsPerUser} texts in bursts of 1–4, as in the throughput section, with ${sizes.join(', ')}
instances, ${repeats} run${repeats > 1 ? 's' : ''} per mode at each size, alternating (the figures below are the means of each mode), all on this one machine with PostgreSQL and the load generator, each run on its own database. Counted by bench
triggers on \`processing_claims\` (event claims left out): an attempt is every take of a user's claim,
won or refused; busy: refused because another worker held it; empty: won, but another worker had
already answered everything.

| instances | affinity | texts | turns | attempts | busy | empty | attempts per text | wasted per text | attempts per turn | all answered in | text → its turn's commit p50 / p95 / max (ms) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

${lines.join('\n')}${busyStatements ? `\n- A busy attempt is one transaction with one claim statement (\`INSERT INTO processing_claims\`, ${busyStatements.meanMs} ms mean in the profile section); an empty one also runs the claim's message statements and the release.` : ''}
${failover}${verdictLine}`;
}

function contextFanoutSection(fanout: ContextFanoutResult): string {
  const p = (x: { p50: number; p95: number }) => `${x.p50} / ${x.p95}`;
  const rows = fanout.modes.map(
    (m) =>
      `| \`${m.mode}\`${m.reference ? ' (reference)' : ''} | ${m.turns} | ${m.unanswered} | ${p(m.replyLatencyMs)} | ${p(m.contextLoadMs)} | ${m.contextStatementsPerTurn} | ${p(m.acquireMs.context)} | ${p(m.acquireMs.renewal)} (${m.acquireMs.renewal.n}) | ${p(m.acquireMs.transaction)} | ${p(m.acquireMs.query)} | ${m.maxWaiting} | ${m.maxConnections} |`,
  );
  const { decision } = fanout;
  return `## Context fan-out against the pool

A member turn's Concierge context is several reads. \`CONCIERGE_CONTEXT_READS=parallel\` sends them at once, each
on its own pooled connection; \`one_statement\` sends them as subqueries of one statement on one connection.
${fanout.turnsInFlight} member turns in flight at once (each worker texts again as soon as it is answered) against one
instance's pool of ${fanout.poolSize}, through the real Anthropic SDK against the stand-in with the ${fanout.model}
latency profile; every member has a busy member's rows (priorities, intros, offers, connection and community
requests, nudges, 24 messages of history). \`CLAIM_LEASE_MS=${fanout.leaseMs}\`, so leases are renewed every
${Math.round(fanout.leaseMs / 3)} ms during every model call and renewals compete with other turns' context reads. Each mode
is its own service on its own database; they take turns in ${fanout.sliceSeconds} s slices, A B B A. Context load and
time-to-acquire are measured inside the service (bench/lib/pool-profile.js): load = first context statement asked
for → last one answered; acquire = asking the pool for a connection → getting one.

| mode | turns | unanswered | reply p50 / p95 (ms) | context load p50 / p95 (ms) | context statements per turn | acquire p50 / p95 (ms): context reads | lease renewals (count) | transactions: claims, commits | other queries | peak requests waiting | peak connections |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

**${decision.pays ? 'One statement pays' : 'One statement does not pay'}** by the rule (${decision.rule}): ${decision.why}.
`;
}

type StormModeLike = EventStormResult['modes'][number];

export function renderReport(result: BenchResult, profileBefore?: EngineProfileResult): string {
  const { machine } = result;
  return `# Performance

Measured by \`npm run bench\`, section by section (\`npm run bench -- --only <section>\` refreshes
one); each section's raw figures are in \`bench/results/sections/<section>.json\`, all of them in
\`bench/results/latest.json\`.

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}; Node ${machine.node};
PostgreSQL ${machine.postgres} (embedded, same machine). Within a section everything ran in one run
against the same PostgreSQL server, on a machine shared with other work: compare rows within a
section, not across sections or with other runs.

${result.sections ? sectionsTable(result.sections) : ''}
${section(() => modelTimeSection(result.modelTurns))}
${section(() => throughputSection(result))}
${section(() => noticeSection(result.notice))}
${section(() => profileSection(result.profile, profileBefore))}
${section(() => (result.eventStorm ? eventStormSection(result.eventStorm) : ''))}
${section(() => (result.claimAttempts ? claimAttemptsSection(result.claimAttempts, result.profile) : ''))}
${section(() => (result.contextFanout ? contextFanoutSection(result.contextFanout) : ''))}
${section(() => footprintSection(result.footprint))}`;
}
