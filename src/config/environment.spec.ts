import { Environment, EnvironmentError, validateEnvironment } from './environment';

/** Runs validation and returns the listed problems (empty when the environment is valid). */
function problemsOf(raw: Record<string, string>): string[] {
  try {
    validateEnvironment(raw);
    return [];
  } catch (error) {
    if (error instanceof EnvironmentError) return error.problems;
    throw error;
  }
}

const PRODUCTION_OK = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app:db-pass-0001@db.internal:5432/app',
  ANTHROPIC_API_KEY: 'sk-ant-api-key-0123456789',
};

describe('validateEnvironment', () => {
  it('fills every default with nothing configured outside production', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 8080,
      LOG_LEVEL: 'info',
      REALTIME_SOURCE: 'postgres',
      EMBEDDED_DB_DIR: '.data/postgres',
      EMBEDDED_DB_PORT: 54329,
      SHUTDOWN_DRAIN_MS: 7000,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
  });

  it('reports DATABASE_URL and ANTHROPIC_API_KEY together in production, each once', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.filter((p) => p.startsWith('DATABASE_URL'))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith('ANTHROPIC_API_KEY'))).toHaveLength(1);
    expect(new Set(problems).size).toBe(problems.length);
  });

  it('accepts a complete production environment', () => {
    expect(validateEnvironment(PRODUCTION_OK)).toMatchObject({ NODE_ENV: 'production', REALTIME_SOURCE: 'postgres' });
  });

  it('lists every invalid value in one error', () => {
    let thrown: unknown;
    try {
      validateEnvironment({
        NODE_ENV: 'staging',
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        REALTIME_SOURCE: 'kafka',
        SHUTDOWN_DRAIN_MS: '-1',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnvironmentError);
    const { problems, message } = thrown as EnvironmentError;
    for (const name of ['NODE_ENV', 'PORT', 'LOG_LEVEL', 'REALTIME_SOURCE', 'SHUTDOWN_DRAIN_MS']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
      expect(message).toContain(name);
    }
  });

  it.each([
    ['0x50', 'not decimal'],
    ['70000', 'above 65535'],
    ['8080.5', 'not an integer'],
  ])('rejects PORT=%s (%s)', (port) => {
    expect(problemsOf({ PORT: port }).some((p) => p.startsWith('PORT'))).toBe(true);
  });

  it('parses numeric settings from strings', () => {
    expect(validateEnvironment({ PORT: '9090', MAX_CONCURRENCY: '3' })).toMatchObject({
      PORT: 9090,
      MAX_CONCURRENCY: 3,
    });
  });

  it('treats blank values as unset', () => {
    const env = validateEnvironment({ DATABASE_URL: '', SUPABASE_URL: '  ', REALTIME_SOURCE: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REALTIME_SOURCE).toBe('postgres');
  });

  it('falls back to the default for every variable set blank, as `KEY=` in a .env file', () => {
    const keys = Object.keys(new Environment()) as (keyof Environment)[];
    const blank = Object.fromEntries(keys.map((key) => [key, '']));
    expect(validateEnvironment(blank)).toEqual(validateEnvironment({}));
    expect(validateEnvironment({ EMBEDDED_DB_DIR: ' ' }).EMBEDDED_DB_DIR).toBe('.data/postgres');
  });

  it('defaults REALTIME_SOURCE to supabase when SUPABASE_URL is set', () => {
    const env = validateEnvironment({
      SUPABASE_URL: 'https://project.supabase.co',
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
    });
    expect(env.REALTIME_SOURCE).toBe('supabase');
  });

  it('keeps an explicit REALTIME_SOURCE=postgres even with SUPABASE_URL set', () => {
    const env = validateEnvironment({
      SUPABASE_URL: 'https://project.supabase.co',
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-0123456789',
      REALTIME_SOURCE: 'postgres',
    });
    expect(env.REALTIME_SOURCE).toBe('postgres');
  });

  it('rejects the supabase feed without a service role key', () => {
    const problems = problemsOf({ SUPABASE_URL: 'https://project.supabase.co' });
    expect(problems.some((p) => p.startsWith('SUPABASE_SERVICE_ROLE_KEY'))).toBe(true);
  });

  it('rejects REALTIME_SOURCE=supabase without SUPABASE_URL and key', () => {
    const problems = problemsOf({ REALTIME_SOURCE: 'supabase' });
    expect(problems.some((p) => p.startsWith('SUPABASE_URL'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SUPABASE_SERVICE_ROLE_KEY'))).toBe(true);
  });

  it('rejects a DATABASE_URL that is not a postgres URL', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://app@db/app' }).some((p) => p.startsWith('DATABASE_URL'))).toBe(true);
  });

  it('never echoes a value in its error', () => {
    const secrets = {
      DATABASE_URL: 'mysql://app:Secret-Db-Pass-7731@db/app',
      SUPABASE_URL: 'not a url Secret-Supabase-Url-8842',
      SUPABASE_SERVICE_ROLE_KEY: 'Sk7-short',
      ANTHROPIC_BASE_URL: 'ftp//Secret-Base-9913',
      SENTRY_DSN: 'Secret-Dsn-5521 not a url',
      PORT: 'Secret-Port-3319',
    };
    let message = '';
    try {
      validateEnvironment({ NODE_ENV: 'production', ...secrets });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    for (const value of Object.values(secrets)) expect(message).not.toContain(value);
    expect(message).not.toContain('Secret-');
  });

  it('keeps the fence by default and breaks it only on TEST_BREAK_FENCE=true, outside production', () => {
    expect(validateEnvironment({}).TEST_BREAK_FENCE).toBe(false);
    expect(validateEnvironment({ NODE_ENV: 'test', TEST_BREAK_FENCE: 'true' }).TEST_BREAK_FENCE).toBe(true);
    expect(validateEnvironment({ TEST_BREAK_FENCE: 'false' }).TEST_BREAK_FENCE).toBe(false);
    expect(problemsOf({ TEST_BREAK_FENCE: 'yes' })).toEqual(['TEST_BREAK_FENCE must be true or false']);
    expect(problemsOf({ ...PRODUCTION_OK, TEST_BREAK_FENCE: 'true' })).toEqual([
      'TEST_BREAK_FENCE is a test-only switch and is refused in production',
    ]);
    expect(problemsOf({ ...PRODUCTION_OK, TEST_BREAK_FENCE: 'false' })).toEqual([]);
  });

  it('ignores unrelated process variables', () => {
    const env = validateEnvironment({ HOME: '/root', npm_config_cache: '/tmp' }) as unknown as Record<string, unknown>;
    expect(env.HOME).toBeUndefined();
    expect(env.npm_config_cache).toBeUndefined();
  });
});
