// Black-box: the built service with SENTRY_DSN pointing at a local HTTP receiver. Sentry gets one
// report per dead item and one per subscription outage past its grace, never a secret or a
// user's text; without SENTRY_DSN the SDK is not even loaded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TcpProxy } from '../foundation/tcp-proxy';
import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { blackBoxEnv } from '../support/black-box';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertEvent, insertInbound, seedUser } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

const API_KEY = 'sk-ant-test-0123456789abcdef';
const SECRET_TEXT = 'my door code is 80417';

/** Reports on stderr the first time any @sentry package is required (loaded with NODE_OPTIONS=--require). */
const PROBE = `
const Module = require('node:module');
const load = Module._load;
let reported = false;
Module._load = function (request, ...rest) {
  if (!reported && typeof request === 'string' && request.startsWith('@sentry/')) {
    reported = true;
    process.stderr.write('require-probe: loaded ' + request + '\\n');
  }
  return load.call(this, request, ...rest);
};
`;

/**
 * A bug's unhandled promise rejection, on demand: once the file named by TEST_UNHANDLED_TRIGGER
 * appears, a promise nobody handles rejects with an error that quotes the API key.
 */
const UNHANDLED_TRIGGER = `
const { existsSync, unlinkSync } = require('node:fs');
const path = process.env.TEST_UNHANDLED_TRIGGER;
if (path) {
  setInterval(() => {
    if (!existsSync(path)) return;
    unlinkSync(path);
    Promise.reject(new Error('unhandled failure near key ' + process.env.ANTHROPIC_API_KEY));
  }, 50).unref();
}
`;

interface Envelope {
  raw: string;
  /** The items of type `event`, parsed. */
  events: Record<string, unknown>[];
}

/** Sentry's envelope format: a header line, then item header and payload lines in pairs. */
function parseEnvelope(raw: string): Envelope {
  const lines = raw.split('\n').filter((line) => line.trim() !== '');
  const events: Record<string, unknown>[] = [];
  for (let index = 1; index + 1 < lines.length; index += 2) {
    const header = JSON.parse(lines[index]) as { type?: string };
    if (header.type === 'event') events.push(JSON.parse(lines[index + 1]) as Record<string, unknown>);
  }
  return { raw, events };
}

/** A stand-in for Sentry's ingestion endpoint: keeps every envelope posted to /api/<project>/envelope/. */
class SentryReceiver {
  readonly envelopes: Envelope[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<SentryReceiver> {
    const server = createServer();
    const receiver = new SentryReceiver(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const raw = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        if (/^\/api\/\d+\/envelope\/?/.test(request.url ?? '')) receiver.envelopes.push(parseEnvelope(raw));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get dsn(): string {
    return `http://0123456789abcdef0123456789abcdef@127.0.0.1:${(this.server.address() as AddressInfo).port}/42`;
  }

  /** Events whose message starts with `prefix`. */
  eventsTitled(prefix: string): Record<string, unknown>[] {
    return this.envelopes
      .flatMap((envelope) => envelope.events)
      .filter((event) => typeof event.message === 'string' && event.message.startsWith(prefix));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('Sentry reporting (black-box)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let model: AnthropicStandIn;
  let receiver: SentryReceiver;
  let service: ServiceProcess;
  const probeDir = mkdtempSync(join(tmpdir(), 'rp-probe-'));
  const probe = join(probeDir, 'require-probe.js');
  const unhandledScript = join(probeDir, 'unhandled-trigger.js');
  const unhandledTrigger = join(probeDir, 'reject-now');

  const state = async (table: 'messages' | 'events', id: string) =>
    (await db.pool.query(`SELECT processing_state FROM ${table} WHERE id = $1`, [id])).rows[0]?.processing_state;

  beforeAll(async () => {
    writeFileSync(probe, PROBE);
    writeFileSync(unhandledScript, UNHANDLED_TRIGGER);
    db = await createTestDatabase();
    proxy = await TcpProxy.forUrl(db.url);
    model = await AnthropicStandIn.start();
    // A rejected request fails each text (a 401 would hold them); the error echoes the key, and
    // nothing may carry it on to Sentry.
    model.setResponder(() => ({ kind: 'error', status: 400, message: `invalid request for key ${API_KEY}` }));
    receiver = await SentryReceiver.start();
    service = await ServiceProcess.start(
      blackBoxEnv(proxy.url(db.url), model, {
        SENTRY_DSN: receiver.dsn,
        ANTHROPIC_API_KEY: API_KEY,
        MAX_ATTEMPTS: '2',
        RETRY_BASE_DELAY_MS: '50',
        SUBSCRIPTION_GRACE_MS: '600',
        LISTEN_PROBE_INTERVAL_MS: '200',
        HEALTH_DB_TIMEOUT_MS: '500',
        NODE_OPTIONS: `--require ${probe} --require ${unhandledScript}`,
        TEST_UNHANDLED_TRIGGER: unhandledTrigger,
      }),
    );
    await service.waitUntilHealthy();
  });

  afterAll(async () => {
    await service?.stop();
    await receiver?.stop();
    await model?.stop();
    await proxy?.close();
    await db?.drop();
  });

  it('sends one report per dead message or event, with ids and never a secret or the text', async () => {
    const users = [await seedUser(db.pool), await seedUser(db.pool)];
    const messageIds = [
      ...(await insertInbound(db.pool, users[0], [SECRET_TEXT])),
      ...(await insertInbound(db.pool, users[1], [`${SECRET_TEXT}, again`])),
    ];
    // A handled type (system.ping, the bus probe) with a payload that is not an object.
    const eventId = await insertEvent(db.pool, 'system.ping', [SECRET_TEXT]);
    await expectEventually(async () => {
      for (const id of messageIds) expect(await state('messages', id)).toBe('dead');
      expect(await state('events', eventId)).toBe('dead');
    });

    await expectEventually(() => {
      expect(receiver.eventsTitled('dead message')).toHaveLength(2);
      expect(receiver.eventsTitled('dead event')).toHaveLength(1);
    });
    const deadMessages = receiver.eventsTitled('dead message');
    expect(deadMessages.map((event) => (event.extra as { id: string }).id).sort()).toEqual([...messageIds].sort());
    expect(deadMessages[0]).toMatchObject({
      level: 'error',
      message: 'dead message (failed_every_attempt)',
      tags: { kind: 'message', reason: 'failed_every_attempt' },
      extra: { attempts: 2 },
    });
    expect(receiver.eventsTitled('dead event')[0]).toMatchObject({
      message: 'dead event (malformed)',
      extra: { id: eventId },
    });

    const password = new URL(db.url).password;
    for (const envelope of receiver.envelopes) {
      expect(envelope.raw).not.toContain(SECRET_TEXT);
      expect(envelope.raw).not.toContain(API_KEY);
      if (password.length >= 8) expect(envelope.raw).not.toContain(password);
    }
  });

  it('reports a subscription that stays down past its grace, once per channel', async () => {
    // On a loaded machine the boot's first connect can itself outlast the grace and be reported;
    // only this outage's own reports count.
    const before = receiver.eventsTitled('subscription ').length;
    const outageReports = () => receiver.eventsTitled('subscription ').slice(before);
    await proxy.close();
    await expectEventually(
      () => {
        expect(
          outageReports()
            .map((event) => (event.tags as { channel: string }).channel)
            .sort(),
        ).toEqual(['agent-events', 'user-messages']);
      },
      { timeoutMs: 60_000 },
    );
    expect(
      outageReports().find((event) => String(event.message).startsWith('subscription user-messages')),
    ).toMatchObject({
      level: 'error',
      message: 'subscription user-messages down past its grace',
    });
    await proxy.reopen();
    await service.waitUntilHealthy();
    // Still once per channel for that outage.
    expect(outageReports()).toHaveLength(2);
  });

  it('reports an unhandled rejection once, scrubbed, and logs it as one JSON line without the key', async () => {
    writeFileSync(unhandledTrigger, '');
    const reports = await expectEventually(() => {
      const found = receiver.envelopes
        .flatMap((envelope) => envelope.events)
        .filter((event) => JSON.stringify(event).includes('unhandled failure near key'));
      expect(found).toHaveLength(1);
      return found;
    });
    expect(reports[0]).toMatchObject({
      level: 'error',
      exception: {
        values: [expect.objectContaining({ type: 'Error', mechanism: expect.objectContaining({ handled: false }) })],
      },
    });
    const logged = await expectEventually(() => {
      const line = service.stdout.find((entry) => entry.includes('"unhandled_rejection"'));
      if (!line) throw new Error('unhandled_rejection not logged yet');
      return line;
    });
    expect(JSON.parse(logged)).toMatchObject({ event: 'unhandled_rejection' });
    // Nothing printed outside the JSON log (Sentry's default prints the raw stack), and no key anywhere.
    for (const line of [...service.stdout, ...service.stderr]) {
      expect(line).not.toContain(API_KEY);
      expect(line).not.toContain('This error originated either by throwing inside of an async function');
    }
    for (const envelope of receiver.envelopes) expect(envelope.raw).not.toContain(API_KEY);
    // The instance keeps serving.
    await service.waitUntilHealthy();
  });

  it('loads the Sentry SDK only when SENTRY_DSN is set', async () => {
    expect(service.stderr).toContain('require-probe: loaded @sentry/nestjs');

    const plain = await ServiceProcess.start({ DATABASE_URL: db.url, NODE_OPTIONS: `--require ${probe}` });
    try {
      await plain.waitUntilHealthy();
    } finally {
      await plain.stop();
    }
    expect(plain.stderr.filter((line) => line.startsWith('require-probe'))).toEqual([]);
  });

  it('without SENTRY_DSN, an unhandled rejection is one JSON line without the key, and the instance keeps serving', async () => {
    const trigger = join(probeDir, 'reject-now-plain');
    const plain = await ServiceProcess.start(
      blackBoxEnv(db.url, model, {
        ANTHROPIC_API_KEY: API_KEY,
        NODE_OPTIONS: `--require ${unhandledScript}`,
        TEST_UNHANDLED_TRIGGER: trigger,
      }),
    );
    try {
      await plain.waitUntilHealthy();
      writeFileSync(trigger, '');
      const logged = await expectEventually(() => {
        const line = plain.stdout.find((entry) => entry.includes('"unhandled_rejection"'));
        if (!line) throw new Error('unhandled_rejection not logged yet');
        return line;
      });
      expect(JSON.parse(logged)).toMatchObject({ event: 'unhandled_rejection', level: 'error' });
      // Node's default would print the raw stack (with the key) and exit.
      for (const line of [...plain.stdout, ...plain.stderr]) expect(line).not.toContain(API_KEY);
      await plain.waitUntilHealthy();
      expect(plain.child.exitCode).toBeNull();
    } finally {
      await plain.stop();
    }
  });
});
