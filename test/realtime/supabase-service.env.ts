import { SERVICE_ROLE_KEY } from './service-role-key';

/**
 * A black-box service on the Supabase feed of `realtimeUrl` with short heartbeats, join timeouts
 * and reconnect delays, so faults are noticed and healed within a test's time.
 */
export function fastSupabaseEnv(
  databaseUrl: string,
  realtimeUrl: string,
  sweepIntervalMs: number,
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REALTIME_SOURCE: 'supabase',
    SUPABASE_URL: realtimeUrl,
    SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY,
    REALTIME_HEARTBEAT_INTERVAL_MS: '250',
    REALTIME_JOIN_TIMEOUT_MS: '500',
    FEED_RECONNECT_MIN_MS: '200',
    FEED_RECONNECT_MAX_MS: '800',
    SWEEP_INTERVAL_MS: String(sweepIntervalMs),
    LOG_LEVEL: 'debug',
  };
}
