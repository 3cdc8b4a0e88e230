// Preloaded into a benchmark's service process (`node --require`): counts every statement the
// service sends through `pg` and the time each takes from send to result, and writes the tally to
// QUERY_PROFILE_FILE when the process exits. Nothing else changes; the service does not know.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const pg = require(require.resolve('pg', { paths: [join(__dirname, '..', '..')] }));
const tally = new Map();

/** The statement's shape: its first 90 characters of SQL with whitespace folded. */
const shape = (text) => String(text).replace(/\s+/g, ' ').trim().slice(0, 90);

function record(text, startedAt) {
  const key = shape(text);
  const entry = tally.get(key) ?? { statement: key, calls: 0, totalMs: 0 };
  entry.calls += 1;
  entry.totalMs += performance.now() - startedAt;
  tally.set(key, entry);
}

const original = pg.Client.prototype.query;
pg.Client.prototype.query = function query(config, values, callback) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (!text) return original.call(this, config, values, callback);
  const startedAt = performance.now();
  if (typeof values === 'function' || typeof callback === 'function') {
    const done = typeof values === 'function' ? values : callback;
    const timed = (error, value) => {
      record(text, startedAt);
      done(error, value);
    };
    return typeof values === 'function'
      ? original.call(this, config, timed)
      : original.call(this, config, values, timed);
  }
  const result = original.call(this, config, values);
  if (result && typeof result.then === 'function') {
    return result.then(
      (value) => (record(text, startedAt), value),
      (error) => {
        record(text, startedAt);
        throw error;
      },
    );
  }
  return result;
};

process.on('exit', () => {
  if (!process.env.QUERY_PROFILE_FILE) return;
  writeFileSync(process.env.QUERY_PROFILE_FILE, JSON.stringify([...tally.values()], null, 1));
});
