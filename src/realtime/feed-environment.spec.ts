import { EnvironmentError, validateEnvironment } from '../config/environment';

/** The change feeds' and the sweep's settings in the one environment class. */
describe('feed settings in the environment', () => {
  it('has defaults that reconnect promptly and detect a silent socket within half a minute', () => {
    expect(validateEnvironment({})).toMatchObject({
      FEED_RECONNECT_MIN_MS: 500,
      FEED_RECONNECT_MAX_MS: 15000,
      LISTEN_PROBE_INTERVAL_MS: 5000,
      REALTIME_HEARTBEAT_INTERVAL_MS: 15000,
      REALTIME_JOIN_TIMEOUT_MS: 10000,
      SWEEP_PAGE_SIZE: 200,
    });
  });

  it('reads them from strings', () => {
    expect(
      validateEnvironment({
        FEED_RECONNECT_MIN_MS: '50',
        FEED_RECONNECT_MAX_MS: '800',
        LISTEN_PROBE_INTERVAL_MS: '500',
        REALTIME_HEARTBEAT_INTERVAL_MS: '250',
        REALTIME_JOIN_TIMEOUT_MS: '500',
        SWEEP_PAGE_SIZE: '15',
      }),
    ).toMatchObject({
      FEED_RECONNECT_MIN_MS: 50,
      FEED_RECONNECT_MAX_MS: 800,
      LISTEN_PROBE_INTERVAL_MS: 500,
      REALTIME_HEARTBEAT_INTERVAL_MS: 250,
      REALTIME_JOIN_TIMEOUT_MS: 500,
      SWEEP_PAGE_SIZE: 15,
    });
  });

  it('lists every bad value at once, including a cap below the first delay', () => {
    let problems: string[] = [];
    try {
      validateEnvironment({
        FEED_RECONNECT_MIN_MS: '2000',
        FEED_RECONNECT_MAX_MS: '1000',
        LISTEN_PROBE_INTERVAL_MS: '5',
        REALTIME_HEARTBEAT_INTERVAL_MS: 'often',
        REALTIME_JOIN_TIMEOUT_MS: '0',
        SWEEP_PAGE_SIZE: '0',
      });
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      problems = error.problems;
    }
    for (const name of [
      'FEED_RECONNECT_MAX_MS must not be below FEED_RECONNECT_MIN_MS',
      'LISTEN_PROBE_INTERVAL_MS',
      'REALTIME_HEARTBEAT_INTERVAL_MS',
      'REALTIME_JOIN_TIMEOUT_MS',
      'SWEEP_PAGE_SIZE',
    ]) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
  });
});
