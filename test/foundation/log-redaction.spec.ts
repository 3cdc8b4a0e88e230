import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { PARAMS_PROVIDER_TOKEN, type Params } from 'nestjs-pino';
import { Client } from 'pg';
import pino, { type LoggerOptions } from 'pino';
import { validateEnvironment } from '../../src/config/environment';
import { LoggingModule } from '../../src/logging/logging.module';
import { REDACTED, SecretScrubber } from '../../src/logging/secret-scrubber';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { ServiceProcess } from '../support/service-process';
import { TcpProxy } from './tcp-proxy';

const API_KEY = 'sk-ant-secret-xyz-0123456789abcdef';
const SUPABASE_KEY = 'service-role-secret-9876543210';

describe('SecretScrubber', () => {
  const scrubber = new SecretScrubber([API_KEY, SUPABASE_KEY, undefined, 'short']);

  it('removes configured secrets wherever they appear', () => {
    const text = scrubber.scrubText(`calling with ${API_KEY} and apikey=${SUPABASE_KEY}&x=1`);
    expect(text).toBe(`calling with ${REDACTED} and apikey=${REDACTED}&x=1`);
  });

  it('removes passwords inside connection URLs and keeps the rest', () => {
    expect(scrubber.scrubText('connect postgres://app:s3cr3t-pw@db.internal:5432/app failed')).toBe(
      `connect postgres://app:${REDACTED}@db.internal:5432/app failed`,
    );
  });

  it('removes bearer tokens', () => {
    expect(scrubber.scrubText('Authorization: Bearer eyJhbGciOi.abc-def_123')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
  });

  it('ignores values too short to be keys, so ordinary words survive', () => {
    expect(scrubber.scrubText('a short answer')).toBe('a short answer');
  });

  it('keeps a JSON line parseable and scrubs a secret in its escaped form', () => {
    const quoted = new SecretScrubber(['key-with-"quote"-and-\\-backslash']);
    const line = JSON.stringify({
      url: 'http://host:8080',
      email: 'a@b.example',
      db: 'postgres://u:pw-123@h/db',
      key: 'key-with-"quote"-and-\\-backslash',
    });
    const scrubbed = quoted.scrubText(line);
    expect(JSON.parse(scrubbed)).toEqual({
      url: 'http://host:8080',
      email: 'a@b.example',
      db: `postgres://u:${REDACTED}@h/db`,
      key: REDACTED,
    });
  });

  it('scrubs nested objects and errors', () => {
    const error = new Error(`failed with ${API_KEY}`);
    const scrubbed = scrubber.scrub({ nested: { list: [`x ${SUPABASE_KEY}`] }, error }) as Record<string, unknown>;
    expect(JSON.stringify(scrubbed)).not.toContain(API_KEY);
    expect(JSON.stringify(scrubbed)).not.toContain(SUPABASE_KEY);
    expect(scrubbed).toMatchObject({ nested: { list: [`x ${REDACTED}`] }, error: { type: 'Error' } });
  });
});

describe('pino configuration of LoggingModule', () => {
  let lines: string[];
  let logger: pino.Logger;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        // The configuration the app would validate, kept apart from this process's environment.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [
            () =>
              validateEnvironment({
                NODE_ENV: 'production',
                LOG_LEVEL: 'debug',
                ANTHROPIC_API_KEY: API_KEY,
                DATABASE_URL: 'postgres://app:Db-Pw-Of-Config-77@db.internal/app',
              }),
          ],
        }),
        LoggingModule,
      ],
    }).compile();
    const params = moduleRef.get<Params>(PARAMS_PROVIDER_TOKEN);
    lines = [];
    logger = pino(params.pinoHttp as LoggerOptions, { write: (line: string) => lines.push(line) });
    await moduleRef.close();
  });

  beforeEach(() => {
    lines.length = 0;
  });

  const lastRecord = () => JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;

  it('writes the README fields: ISO timestamp, level as a word, service, message', () => {
    logger.info({ event: 'message_processed', messageId: 'm-1', duration: 12, agentType: 'concierge' }, 'done');
    expect(lastRecord()).toMatchObject({
      level: 'info',
      service: 'realtime-processor',
      event: 'message_processed',
      messageId: 'm-1',
      duration: 12,
      agentType: 'concierge',
      message: 'done',
    });
    expect(lastRecord().timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('redacts message bodies', () => {
    logger.info({ content: 'my home address is 1 Main St', message: { content: 'call me at 555-0100' } }, 'row');
    const line = lines[lines.length - 1];
    expect(line).not.toContain('1 Main St');
    expect(line).not.toContain('555-0100');
    expect(lastRecord()).toMatchObject({ content: REDACTED });
  });

  it('redacts Authorization headers and API keys in request records', () => {
    logger.info({ req: { url: '/x', headers: { authorization: 'Basic dXNlcjpwYXNz', apikey: 'abc123456789' } } });
    expect(lastRecord()).toMatchObject({ req: { headers: { authorization: REDACTED, apikey: REDACTED } } });
  });

  it('scrubs configured secrets and URL passwords from messages and errors', () => {
    logger.error(
      { err: new Error(`401 from upstream with key ${API_KEY}`), target: 'postgres://app:pw-Secret-55@db/app' },
      `request failed for ${API_KEY}`,
    );
    const line = lines[lines.length - 1];
    expect(line).not.toContain(API_KEY);
    expect(line).not.toContain('pw-Secret-55');
    expect(lastRecord()).toMatchObject({ level: 'error', message: `request failed for ${REDACTED}` });
  });

  it('scrubs the DATABASE_URL password even outside a URL', () => {
    logger.warn({ detail: 'login Db-Pw-Of-Config-77 rejected' }, 'auth');
    expect(lines[lines.length - 1]).not.toContain('Db-Pw-Of-Config-77');
  });
});

describe('log redaction (black-box)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let service: ServiceProcess;
  const role = `rp_redact_${randomBytes(4).toString('hex')}`;
  const password = `Pw-${randomBytes(9).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A login of its own, so its password is distinctive enough to search the output for.
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${password}'`);
    await admin.end();
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    proxy = await TcpProxy.forUrl(db.url);
    service = await ServiceProcess.start({
      DATABASE_URL: proxy.url(url.toString()),
      ANTHROPIC_API_KEY: API_KEY,
      LOG_LEVEL: 'debug',
    });
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await db?.drop();
    const admin = new Client({ connectionString: process.env.TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('never writes the API key or the database password, even into request logs and errors', async () => {
    // Put the secrets where a careless logger would print them: a request header, a URL, and
    // database errors while the connection is cut.
    await fetch(`${service.url}/no-such-route?key=${API_KEY}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    await fetch(`${service.url}/no-such-route/${password}`);
    await proxy.close();
    await expectEventually(async () => expect((await service.get('/health/ready')).status).toBe(503));
    await proxy.reopen();
    await service.waitUntilHealthy();

    const requestLogs = service.logs().filter((record) => record.res !== undefined);
    expect(requestLogs.length).toBeGreaterThanOrEqual(2);
    expect(service.logs().some((record) => record.event === 'feed_disconnected')).toBe(true);

    const output = [...service.stdout, ...service.stderr];
    expect(output.filter((line) => line.includes(API_KEY))).toEqual([]);
    expect(output.filter((line) => line.includes(password))).toEqual([]);
  });

  it('request-logs other routes with status but never /health*', async () => {
    for (const path of ['/health', '/health/ready', '/health/live']) expect((await service.get(path)).status).toBe(200);
    const { status } = await service.get('/not-a-route');
    expect(status).toBe(404);

    const requestLogs = await expectEventually(() => {
      // pino-http's completion records carry `res`; other records inside a request only `req`.
      const logs = service.logs().filter((record) => record.res !== undefined);
      expect(logs.some((record) => (record.req as { url: string }).url === '/not-a-route')).toBe(true);
      return logs;
    });
    const notFound = requestLogs.find((record) => (record.req as { url: string }).url === '/not-a-route');
    expect(notFound).toMatchObject({ res: { statusCode: 404 }, service: 'realtime-processor' });
    expect(requestLogs.filter((record) => (record.req as { url: string }).url.startsWith('/health'))).toEqual([]);
  });
});
