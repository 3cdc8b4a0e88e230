// Preloaded into a benchmark's service process (`node --require`): measures the query pool from
// inside. For every checkout it records the time from asking for a connection to getting one
// (time-to-acquire) and how many requests were already waiting, by purpose: the Concierge's context
// reads (the statements of dist/agents/concierge/concierge-context.reads.js, exact text), lease
// renewals, transactions (claims, commits: the pool's `connect`), other queries. It also records,
// per turn, the context load time: the first context statement asked for → the last one answered. Written to POOL_PROFILE_FILE when the process exits.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const pg = require(require.resolve('pg', { paths: [root] }));
const reads = require(join(root, 'dist', 'agents', 'concierge', 'concierge-context.reads.js'));

const CONTEXT = new Set([
  reads.CONCIERGE_READS_IN_ONE_STATEMENT,
  ...Object.values(reads.CONCIERGE_READS).map((r) => r.sql),
]);
const purposeOf = (text) =>
  CONTEXT.has(text) ? 'context' : /^UPDATE processing_claims SET lease_expires_at/.test(text) ? 'renewal' : 'query';

const waits = { context: [], renewal: [], transaction: [], query: [] };
const contextStatements = { count: 0 };
/** Finished context loads (ms). */
const contextLoadMs = [];
/** userId → the load in progress: first statement asked, last answered, statements in flight. */
const contextSpans = new Map();
let maxWaiting = 0;
let maxTotal = 0;
/** Set by `query` for the `connect` it makes synchronously. */
let pendingPurpose = null;

const proto = pg.Pool.prototype;
const originalQuery = proto.query;
const originalConnect = proto.connect;

proto.query = function query(text, values, callback) {
  const sql = typeof text === 'string' ? text : text && text.text;
  const purpose = purposeOf(sql);
  pendingPurpose = purpose;
  const userId = purpose === 'context' && Array.isArray(values) ? values[0] : undefined;
  if (userId !== undefined) {
    contextStatements.count += 1;
    const span = contextSpans.get(userId) ?? { first: performance.now(), last: 0, inFlight: 0 };
    span.inFlight += 1;
    contextSpans.set(userId, span);
  }
  let result;
  try {
    result = originalQuery.call(this, text, values, callback);
  } finally {
    pendingPurpose = null;
  }
  if (userId !== undefined && result && typeof result.then === 'function') {
    // A load ends when its last statement is answered (the parallel reads all start before any ends).
    const done = () => {
      const span = contextSpans.get(userId);
      span.inFlight -= 1;
      if (span.inFlight > 0) return;
      contextLoadMs.push(performance.now() - span.first);
      contextSpans.delete(userId);
    };
    result.then(done, done);
  }
  return result;
};

proto.connect = function connect(callback) {
  const purpose = pendingPurpose ?? 'transaction';
  pendingPurpose = null;
  const full = this.idleCount === 0 && this.totalCount >= this.options.max;
  maxWaiting = Math.max(maxWaiting, this.waitingCount + (full ? 1 : 0));
  maxTotal = Math.max(maxTotal, this.totalCount);
  const askedAt = performance.now();
  const record = () => waits[purpose].push(performance.now() - askedAt);
  if (typeof callback === 'function') {
    return originalConnect.call(this, (error, client, release) => {
      record();
      callback(error, client, release);
    });
  }
  return originalConnect.call(this).then((client) => {
    record();
    return client;
  });
};

process.on('exit', () => {
  if (!process.env.POOL_PROFILE_FILE) return;
  writeFileSync(
    process.env.POOL_PROFILE_FILE,
    JSON.stringify({ waits, contextLoadMs, contextStatements: contextStatements.count, maxWaiting, maxTotal }),
  );
});
