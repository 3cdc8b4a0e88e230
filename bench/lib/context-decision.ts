/**
 * The context fan-out section's rule and its sanity check, apart from the run so a test can hold
 * them to their word (test/ops/context-fanout-decision.spec.ts).
 */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
}

export interface ContextModeFigures {
  mode: 'parallel' | 'one_statement';
  reference: boolean;
  turns: number;
  unanswered: number;
  replyLatencyMs: Percentiles;
  contextLoadMs: Percentiles;
  contextStatementsPerTurn: number;
  /** Time-to-acquire a pooled connection, by what asked for it. */
  acquireMs: Record<'context' | 'renewal' | 'transaction' | 'query', Percentiles>;
  /** Most requests waiting for a connection at once (including the one asking). */
  maxWaiting: number;
  maxConnections: number;
}

export const DECISION_RULE =
  "one_statement replaces parallel when, in the same run, (1) its reply-latency p95 is at most 5 % above parallel's, " +
  "(2) its context-load p95 is at most 10 % above parallel's, and (3) lease renewals and transactions (claims, " +
  'commits) wait less for a connection: a lower p95 time-to-acquire or, when both are under 1 ms, a lower peak of ' +
  'requests waiting';

export function decide(modes: ContextModeFigures[]): { rule: string; pays: boolean; why: string } {
  const reference = modes.find((m) => m.reference);
  const candidate = modes.find((m) => !m.reference);
  if (!reference || !candidate) throw new Error('context fan-out: need the reference and one candidate');
  const criticalP95 = (m: ContextModeFigures) =>
    Math.max(m.acquireMs.renewal.p95 || 0, m.acquireMs.transaction.p95 || 0);
  const reply = candidate.replyLatencyMs.p95 <= reference.replyLatencyMs.p95 * 1.05;
  const load = candidate.contextLoadMs.p95 <= reference.contextLoadMs.p95 * 1.1;
  const bothTiny = criticalP95(candidate) < 1 && criticalP95(reference) < 1;
  const lessWaiting = bothTiny
    ? candidate.maxWaiting < reference.maxWaiting
    : criticalP95(candidate) < criticalP95(reference);
  const round = (value: number) => Math.round(value * 100) / 100;
  const why =
    `reply p95 ${candidate.replyLatencyMs.p95} vs ${reference.replyLatencyMs.p95} ms (${reply ? 'ok' : 'worse'}); ` +
    `context load p95 ${candidate.contextLoadMs.p95} vs ${reference.contextLoadMs.p95} ms (${load ? 'ok' : 'worse'}); ` +
    `renewal/transaction acquire p95 ${round(criticalP95(candidate))} vs ${round(criticalP95(reference))} ms, ` +
    `peak waiting ${candidate.maxWaiting} vs ${reference.maxWaiting} (${lessWaiting ? 'less waiting' : 'no less waiting'})`;
  return { rule: DECISION_RULE, pays: reply && load && lessWaiting, why };
}

/** One statement per read of concierge-context.reads.ts (ten since own intros joined; nine before). */
const STATEMENTS_PER_LOAD: Record<ContextModeFigures['mode'], number> = { parallel: 10, one_statement: 1 };

/**
 * Refuses figures that cannot be what they claim: every answered turn must have had its context
 * load measured, with the number of statements its mode sends. A preload that stopped recognising
 * the context statements (a changed SQL text) would otherwise report empty context figures.
 */
export function checkMeasured(modes: ContextModeFigures[]): void {
  for (const m of modes) {
    const answered = m.turns - m.unanswered;
    if (answered === 0) throw new Error(`context fan-out: ${m.mode} answered no turn`);
    if (m.contextLoadMs.n < answered)
      throw new Error(`context fan-out: ${m.mode} measured ${m.contextLoadMs.n} context loads for ${answered} turns`);
    if (m.contextStatementsPerTurn !== STATEMENTS_PER_LOAD[m.mode])
      throw new Error(
        `context fan-out: ${m.mode} sent ${m.contextStatementsPerTurn} context statements per load, expected ${STATEMENTS_PER_LOAD[m.mode]}`,
      );
  }
}
