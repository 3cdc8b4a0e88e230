// The context fan-out bench section's verdict and its sanity check (bench/lib/context-decision.ts):
// the verdict must follow the stated rule, and figures a broken measurement would give are refused.
import { checkMeasured, decide, type ContextModeFigures } from '../../bench/lib/context-decision';

const p = (p95: number, p50 = p95 / 2) => ({ p50, p95, p99: p95, max: p95, n: 100 });

function figures(
  mode: ContextModeFigures['mode'],
  overrides: Partial<ContextModeFigures> & { renewalP95?: number } = {},
): ContextModeFigures {
  const { renewalP95 = 0.2, ...rest } = overrides;
  return {
    mode,
    reference: mode === 'parallel',
    turns: 100,
    unanswered: 0,
    replyLatencyMs: p(2800),
    contextLoadMs: p(100),
    contextStatementsPerTurn: mode === 'parallel' ? 10 : 1,
    acquireMs: { context: p(1), renewal: p(renewalP95), transaction: p(0.3), query: p(0.1) },
    maxWaiting: mode === 'parallel' ? 20 : 2,
    maxConnections: 12,
    ...rest,
  };
}

describe('context fan-out verdict', () => {
  it('pays when replies hold, loads hold and the pool queue is shorter', () => {
    const verdict = decide([figures('parallel'), figures('one_statement')]);
    expect(verdict.pays).toBe(true);
    expect(verdict.why).toContain('peak waiting 2 vs 20 (less waiting)');
  });

  it('does not pay when replies get more than 5 % slower', () => {
    const verdict = decide([figures('parallel'), figures('one_statement', { replyLatencyMs: p(2800 * 1.06) })]);
    expect(verdict.pays).toBe(false);
    expect(verdict.why).toContain('(worse)');
  });

  it('does not pay when context loads get more than 10 % slower', () => {
    expect(decide([figures('parallel'), figures('one_statement', { contextLoadMs: p(111) })]).pays).toBe(false);
  });

  it('compares renewal and transaction waits once either is 1 ms or more', () => {
    const slowerRenewals = figures('one_statement', { renewalP95: 5 });
    expect(decide([figures('parallel', { renewalP95: 3 }), slowerRenewals]).pays).toBe(false);
    expect(decide([figures('parallel', { renewalP95: 8 }), slowerRenewals]).pays).toBe(true);
  });

  it('does not pay when the queue is no shorter and waits are tiny', () => {
    expect(decide([figures('parallel', { maxWaiting: 2 }), figures('one_statement')]).pays).toBe(false);
  });
});

describe('context fan-out measurement check', () => {
  it('accepts figures with one measured load per turn and the mode’s statement count', () => {
    expect(() => checkMeasured([figures('parallel'), figures('one_statement')])).not.toThrow();
  });

  it('refuses a run whose preload did not recognise the context statements', () => {
    const blind = figures('one_statement', { contextLoadMs: { ...p(0), n: 0 }, contextStatementsPerTurn: 0 });
    expect(() => checkMeasured([figures('parallel'), blind])).toThrow('measured 0 context loads for 100 turns');
  });

  it('refuses a mode that sent another number of statements than it claims', () => {
    expect(() => checkMeasured([figures('parallel', { contextStatementsPerTurn: 1 })])).toThrow(
      'parallel sent 1 context statements per load, expected 10',
    );
  });
});
