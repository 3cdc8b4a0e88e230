/**
 * Proves the Realtime stand-in against the real, unmodified supabase-js client: subscriptions,
 * server-side filters, the database feed, and the client-visible effect of every fault switch,
 * for both protocol versions. Waiting is event-driven throughout (callbacks resolve promises).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createClient,
  type REALTIME_SUBSCRIBE_STATES,
  type RealtimeChannel,
  type RealtimeClientOptions,
  type RealtimePostgresInsertPayload,
  type WebSocketLikeConstructor,
} from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from './database';
import { RealtimeStandIn, type RealtimeVsn } from './realtime-stand-in';

const REPO_ROOT = resolvePath(__dirname, '..', '..');

/** A service-role-shaped JWT; nothing verifies its signature. */
const SERVICE_ROLE_KEY = [
  { alg: 'HS256', typ: 'JWT' },
  { iss: 'supabase', role: 'service_role', iat: 1700000000, exp: 4102444800 },
]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('stand-in-signature')
  .join('.');

type Row = Record<string, unknown>;
type TestClient = ReturnType<typeof createTestClient>;

interface StatusEvent {
  status: `${REALTIME_SUBSCRIBE_STATES}`;
  error?: string;
}

/** Values pushed by callbacks; `waitFor` resolves on the first matching one, no polling. */
class Recorder<T> {
  readonly values: T[] = [];
  private readonly waiters = new Set<() => void>();

  readonly push = (value: T): void => {
    this.values.push(value);
    for (const waiter of [...this.waiters]) waiter();
  };

  /** The first value at index `from` or later that matches. */
  waitFor(match: (value: T) => boolean, what: string, from = 0, timeoutMs = 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const index = this.values.findIndex((value, i) => i >= from && match(value));
        if (index === -1) return;
        cleanup();
        resolve(this.values[index]);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.values)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

interface Subscription {
  channel: RealtimeChannel;
  statuses: Recorder<StatusEvent>;
  changes: Recorder<RealtimePostgresInsertPayload<Row>>;
  system: Recorder<Row>;
}

function subscribe(client: TestClient, name: string, table: string, filter?: string): Subscription {
  const statuses = new Recorder<StatusEvent>();
  const changes = new Recorder<RealtimePostgresInsertPayload<Row>>();
  const system = new Recorder<Row>();
  const channel = client
    .channel(name)
    .on<Row>('postgres_changes', { event: 'INSERT', schema: 'public', table, filter }, changes.push)
    .on('system', {}, (payload: Row) => system.push(payload))
    .subscribe((status, error) => statuses.push({ status, error: error?.message }));
  return { channel, statuses, changes, system };
}

const is =
  (status: StatusEvent['status'], error?: string | RegExp) =>
  (event: StatusEvent): boolean =>
    event.status === status &&
    (error === undefined || (typeof error === 'string' ? event.error === error : error.test(event.error ?? '')));

const inbound = (content: string): Row => ({ id: `in-${content}`, direction: 'inbound', content });
const outbound = (content: string): Row => ({ id: `out-${content}`, direction: 'outbound', content });

// -------------------------------------------------------------------------------------------------

let standIn: RealtimeStandIn | undefined;
const clients: TestClient[] = [];

/** Short timers so faults play out in milliseconds; rejoins still take 1 s (not configurable). */
function createTestClient(url: string, realtime: RealtimeClientOptions) {
  return createClient(url, SERVICE_ROLE_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { heartbeatIntervalMs: 250, timeout: 1000, reconnectAfterMs: () => 50, ...realtime },
  });
}

function connect(target: RealtimeStandIn, realtime: RealtimeClientOptions = {}): TestClient {
  const client = createTestClient(target.url, realtime);
  clients.push(client);
  return client;
}

async function startStandIn(options?: Parameters<typeof RealtimeStandIn.start>[0]): Promise<RealtimeStandIn> {
  standIn = await RealtimeStandIn.start(options);
  return standIn;
}

/**
 * `removeAllChannels()`, minus its leftover: realtime-js's `disconnect()` starts a 10 s timer that
 * it never clears (`SocketAdapter.disconnect`), which would keep Jest alive for 10 s after the
 * run. Timers created synchronously inside `disconnect()` are unref'd; nothing else is touched.
 */
async function closeClient(client: TestClient): Promise<void> {
  await Promise.all(client.getChannels().map((channel) => client.removeChannel(channel)));
  const setTimeoutBefore = globalThis.setTimeout;
  const unrefd = (callback: () => void, ms?: number): NodeJS.Timeout => setTimeoutBefore(callback, ms).unref();
  globalThis.setTimeout = unrefd as unknown as typeof setTimeout;
  let disconnected: Promise<unknown>;
  try {
    disconnected = client.realtime.disconnect();
  } finally {
    globalThis.setTimeout = setTimeoutBefore;
  }
  await disconnected;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map(closeClient));
  await standIn?.stop();
  standIn = undefined;
});

describe.each<RealtimeVsn>(['1.0.0', '2.0.0'])('RealtimeStand-in with realtime-js, vsn %s', (vsn) => {
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
  });

  /** Messages (inbound only) and events channels, both SUBSCRIBED. */
  async function subscribed(target: RealtimeStandIn, realtime: RealtimeClientOptions = {}) {
    const client = connect(target, { vsn, ...realtime });
    const messages = subscribe(client, 'user-messages', 'messages', 'direction=eq.inbound');
    const events = subscribe(client, 'agent-events', 'events');
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'messages SUBSCRIBED');
    await events.statuses.waitFor(is('SUBSCRIBED'), 'events SUBSCRIBED');
    return { client, messages, events };
  }

  it('subscribes, and delivers matching INSERTs with payload.new equal to the record', async () => {
    const target = await startStandIn();
    const { messages, events } = await subscribed(target);

    expect(target.lastVsn).toBe(vsn);
    expect(target.lastApiKey).toBe(SERVICE_ROLE_KEY);
    expect(target.joinedTopics()).toEqual(['realtime:agent-events', 'realtime:user-messages']);
    const ready = await messages.system.waitFor((p) => p.status === 'ok', 'system message');
    expect(ready).toMatchObject({ extension: 'postgres_changes', message: 'Subscribed to PostgreSQL' });

    // The outbound row is published first: had it been routed, it would arrive first.
    expect(target.publish({ table: 'messages', record: outbound('not for us') })).toBe(0);
    const record = { ...inbound('hello'), created_at: '2025-01-01T00:00:00.000Z', meta: { a: 1 }, n: 5 };
    expect(target.publish({ table: 'messages', record })).toBe(1);
    const event = { id: 'e1', event_type: 'intro.requested', payload: { userId: 'u1' } };
    expect(target.publish({ table: 'events', record: event })).toBe(1);

    const received = await messages.changes.waitFor(() => true, 'inbound message');
    expect(received).toMatchObject({ schema: 'public', table: 'messages', eventType: 'INSERT', errors: null });
    expect(received.new).toEqual(record);
    expect(received.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const receivedEvent = await events.changes.waitFor(() => true, 'event');
    expect(receivedEvent.new).toEqual(event);
    expect(messages.changes.values).toHaveLength(1);
    expect(target.stats.pushes).toBe(2);
  });

  it('publishes rows inserted into PostgreSQL through the database feed', async () => {
    // A clone of the migrated template (test/support/global-setup.ts): the real tables.
    database ??= await createTestDatabase();
    const target = await startStandIn({ databaseUrl: database.url });
    const { messages, events } = await subscribed(target);

    const db = database.pool;
    await db.query(`INSERT INTO messages (role, direction, content) VALUES ('assistant', 'outbound', 'reply')`);
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO messages (role, direction, content) VALUES ('user', 'inbound', 'hi from sms') RETURNING id`,
    );
    const event = await db.query<{ id: string }>(
      `INSERT INTO events (event_type, payload) VALUES ('user.joined', '{"n": 1}') RETURNING id`,
    );

    const received = await messages.changes.waitFor(() => true, 'inbound row');
    const row = await db.query<{ record: Row }>('SELECT to_jsonb(m) AS record FROM messages m WHERE id = $1', [
      inserted.rows[0]?.id,
    ]);
    expect(received.new).toEqual(row.rows[0]?.record);
    expect(received.new).toMatchObject({ direction: 'inbound', content: 'hi from sms' });
    const receivedEvent = await events.changes.waitFor(() => true, 'event row');
    expect(receivedEvent.new).toMatchObject({ id: event.rows[0]?.id, event_type: 'user.joined', payload: { n: 1 } });
    // The outbound row was committed and notified first, yet never delivered.
    expect(messages.changes.values).toHaveLength(1);
    expect(target.stats.feedNotifications).toBe(3);
    expect(target.stats.feedErrors).toBe(0);
  });

  it('dropConnections: CHANNEL_ERROR (1006), then reconnect, rejoin with the token, delivery again', async () => {
    const target = await startStandIn();
    const { messages } = await subscribed(target);

    target.dropConnections();
    expect(target.connectionCount()).toBe(0);
    expect(target.joinedTopics()).toEqual([]);
    await messages.statuses.waitFor(is('CHANNEL_ERROR', /socket closed: 1006/), 'CHANNEL_ERROR after drop');
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED again', 1);
    await target.waitForJoined(2);

    expect(target.stats.connections).toBe(2);
    expect(target.lastAccessToken).toBe(SERVICE_ROLE_KEY); // rejoins carry access_token
    target.publish({ table: 'messages', record: inbound('after reconnect') });
    const received = await messages.changes.waitFor(() => true, 'message after reconnect');
    expect(received.new).toMatchObject({ content: 'after reconnect' });
  });

  it('silent heartbeats: heartbeat timeout, CHANNEL_ERROR, socket closed and reopened, rejoined', async () => {
    const target = await startStandIn();
    const heartbeats = new Recorder<string>();
    const { messages } = await subscribed(target, { heartbeatIntervalMs: 100, heartbeatCallback: heartbeats.push });
    await heartbeats.waitFor((status) => status === 'ok', 'a heartbeat answered');

    target.setHeartbeatReplies(false);
    await heartbeats.waitFor((status) => status === 'timeout', 'heartbeat timeout');
    await messages.statuses.waitFor(is('CHANNEL_ERROR', 'heartbeat timeout'), 'CHANNEL_ERROR heartbeat timeout');
    target.setHeartbeatReplies(true);
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED after reconnect', 1);

    expect(target.stats.connections).toBe(2);
    expect(target.stats.heartbeats).toBeGreaterThan(target.stats.heartbeatReplies);
  });

  it("join mode 'refuse': CHANNEL_ERROR with the server's reason, then a rejoin that succeeds", async () => {
    const target = await startStandIn();
    target.setJoinMode('refuse', 'Unauthorized: You do not have permissions to read from this Channel topic');
    const client = connect(target, { vsn });
    const messages = subscribe(client, 'user-messages', 'messages', 'direction=eq.inbound');

    await messages.statuses.waitFor(is('CHANNEL_ERROR', /^Unauthorized: You do not have/), 'join refused');
    target.setJoinMode('ok');
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED on rejoin');
    expect(target.stats.joinsRefused).toBeGreaterThanOrEqual(1);
    expect(target.stats.joinsAccepted).toBe(1);
  });

  it("join mode 'ignore': TIMED_OUT and a phx_leave, then a rejoin that succeeds", async () => {
    const target = await startStandIn();
    target.setJoinMode('ignore');
    const client = connect(target, { vsn, timeout: 300 });
    const messages = subscribe(client, 'user-messages', 'messages', 'direction=eq.inbound');

    await messages.statuses.waitFor(is('TIMED_OUT'), 'TIMED_OUT');
    await target.waitUntil((s) => s.stats.leaves >= 1, 30_000, 'the phx_leave after the timeout');
    expect(target.joinedTopics()).toEqual([]);
    target.setJoinMode('ok');
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED on rejoin');
    expect(target.joinedTopics()).toEqual(['realtime:user-messages']);
  });

  it("join mode 'mismatch': CLOSED then CHANNEL_ERROR, and the channel is gone for good", async () => {
    const target = await startStandIn();
    target.setJoinMode('mismatch');
    const client = connect(target, { vsn });
    const messages = subscribe(client, 'user-messages', 'messages', 'direction=eq.inbound');

    await messages.statuses.waitFor(is('CHANNEL_ERROR', /mismatch between server and client bindings/), 'mismatch');
    expect(messages.statuses.values.map((s) => s.status)).toEqual(['CLOSED', 'CHANNEL_ERROR']);
    expect(client.getChannels()).toEqual([]);
  });

  it('phx_error: CHANNEL_ERROR (transport failure), then the client rejoins by itself', async () => {
    const target = await startStandIn();
    const { messages, events } = await subscribed(target);

    expect(target.sendPhxError()).toBe(2);
    expect(target.joinedTopics()).toEqual([]);
    await messages.statuses.waitFor(is('CHANNEL_ERROR', 'channel error: transport failure'), 'phx_error');
    await events.statuses.waitFor(is('CHANNEL_ERROR'), 'phx_error on events');
    await target.waitForJoined(2, 30_000);
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED after rejoin', 1);
    expect(target.stats.connections).toBe(1); // same socket
  });

  it('phx_close: CLOSED, the channel is removed and not rejoined; a reason arrives as a system error', async () => {
    const target = await startStandIn();
    const { client, messages, events } = await subscribed(target);

    expect(target.sendPhxClose('Token has expired 5 seconds ago')).toBe(2);
    await messages.statuses.waitFor(is('CLOSED'), 'CLOSED');
    await events.statuses.waitFor(is('CLOSED'), 'CLOSED on events');
    const systemError = await messages.system.waitFor((p) => p.status === 'error', 'system error');
    expect(systemError).toMatchObject({ extension: 'system', message: 'Token has expired 5 seconds ago' });
    expect(client.getChannels()).toEqual([]);
    expect(messages.channel.state).toBe('closed');
    expect(target.joinedTopics()).toEqual([]);
  });

  it('malformed frames: the client ignores them and keeps delivering', async () => {
    const target = await startStandIn();
    const logged: string[] = [];
    // A logger makes realtime-js read payload.status of every frame: the frames must survive that too.
    const { messages } = await subscribed(target, { logger: (kind: string) => logged.push(kind) });

    expect(target.sendMalformedFrame()).toBe(9);
    target.publish({ table: 'messages', record: inbound('still alive') });
    const received = await messages.changes.waitFor(() => true, 'message after malformed frames');

    expect(received.new).toMatchObject({ content: 'still alive' });
    expect(messages.changes.values).toHaveLength(1); // the change for unknown binding ids was dropped
    expect(messages.statuses.values.map((s) => s.status)).toEqual(['SUBSCRIBED']);
    expect(logged).toContain('receive');
  });

  it('an undecodable frame throws out of the client message handler (uncaught), the socket lives on', async () => {
    const target = await startStandIn();
    // In a child process, because the exception is process-wide.
    const script = `
      const { createClient } = require('@supabase/supabase-js');
      process.on('uncaughtException', (error) => console.log('UNCAUGHT ' + error.message));
      const client = createClient(process.argv[1], 'key', {
        auth: { persistSession: false, autoRefreshToken: false }, realtime: { vsn: process.argv[2] } });
      client.channel('c')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (p) => console.log('CHANGE ' + p.new.content))
        .subscribe((status) => console.log('STATUS ' + status));
      process.stdin.on('end', () => client.removeAllChannels().then(() => process.exit(0)));
      process.stdin.resume();`;
    const child = spawn(process.execPath, ['-e', script, target.url, vsn], { cwd: REPO_ROOT });
    const exited = once(child, 'exit');
    const lines = new Recorder<string>();
    createInterface({ input: child.stdout }).on('line', lines.push);
    try {
      await lines.waitFor((line) => line === 'STATUS SUBSCRIBED', 'child SUBSCRIBED', 0, 30_000);
      expect(target.sendRawFrame('this is not json')).toBe(1);
      await lines.waitFor((line) => line.startsWith('UNCAUGHT '), 'uncaught exception in the child');
      target.publish({ table: 'messages', record: inbound('after garbage') });
      await lines.waitFor((line) => line === 'CHANGE after garbage', 'change after the garbage frame');
    } finally {
      child.stdin.end();
      await exited;
    }
  });

  it('setPushDelay delays change pushes; setPaused drops changes while channels stay joined', async () => {
    const target = await startStandIn();
    const { messages } = await subscribed(target);

    target.setPushDelay(300);
    const publishedAt = Date.now();
    expect(target.publish({ table: 'messages', record: inbound('late') })).toBe(1);
    expect(target.stats.pushes).toBe(0);
    await messages.changes.waitFor(() => true, 'delayed message');
    expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(290);

    target.setPushDelay(0);
    target.setPaused(true);
    expect(target.publish({ table: 'messages', record: inbound('lost') })).toBe(0);
    expect(target.stats.droppedWhilePaused).toBe(1);
    expect(target.joinedTopics()).toHaveLength(2);
    target.setPaused(false);
    target.publish({ table: 'messages', record: inbound('found') });
    await messages.changes.waitFor((c) => c.new.content === 'found', 'message after resume');
    expect(messages.changes.values.map((c) => c.new.content)).toEqual(['late', 'found']);
  });
});

describe('RealtimeStand-in details', () => {
  it('evaluates filters server-side (eq, neq, in, gt with AND) and reports unparsable filters', async () => {
    const target = await startStandIn();
    const client = connect(target);
    const channels = {
      eq: subscribe(client, 'eq', 'messages', 'direction=eq.inbound'),
      neq: subscribe(client, 'neq', 'messages', 'direction=neq.inbound'),
      in: subscribe(client, 'in', 'messages', 'direction=in.(inbound,"sys tem")'),
      and: subscribe(client, 'and', 'messages', 'priority=gt.5,direction=eq.inbound'),
      bad: subscribe(client, 'bad', 'messages', 'direction=like.in%'),
    };
    for (const subscription of Object.values(channels)) {
      await subscription.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED');
    }
    const badSystem = await channels.bad.system.waitFor(() => true, 'system message of the bad filter');
    expect(badSystem).toMatchObject({ extension: 'postgres_changes', status: 'error' });

    const rows = [
      { id: 1, direction: 'inbound', priority: 7 }, // eq, in, and
      { id: 2, direction: 'outbound', priority: 9 }, // neq
      { id: 3, direction: 'sys tem', priority: 1 }, // neq, in
      { id: 4, direction: 'inbound', priority: 5 }, // eq, in
      { id: 5, direction: null, priority: 8 }, // none: NULL never matches
      { id: 6, direction: 'inbound', priority: 100 }, // eq, in, and (last for those)
      { id: 7, direction: 'zzz', priority: 100 }, // neq (last for it)
    ];
    expect(rows.map((record) => target.publish({ table: 'messages', record }))).toEqual([3, 1, 2, 2, 0, 3, 1]);
    const idsOf = async (subscription: Subscription, lastId: number): Promise<unknown[]> => {
      await subscription.changes.waitFor((c) => c.new.id === lastId, `row ${lastId}`);
      return subscription.changes.values.map((c) => c.new.id);
    };
    expect(await idsOf(channels.eq, 6)).toEqual([1, 4, 6]);
    expect(await idsOf(channels.neq, 7)).toEqual([2, 3, 7]);
    expect(await idsOf(channels.in, 6)).toEqual([1, 3, 4, 6]);
    expect(await idsOf(channels.and, 6)).toEqual([1, 6]);
    expect(channels.bad.changes.values).toEqual([]);
  });

  it('works with the ws package as transport too', async () => {
    const target = await startStandIn();
    const client = connect(target, { transport: WebSocket as unknown as WebSocketLikeConstructor });
    const messages = subscribe(client, 'user-messages', 'messages', 'direction=eq.inbound');
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED');
    target.publish({ table: 'messages', record: inbound('over ws') });
    expect((await messages.changes.waitFor(() => true, 'message')).new).toMatchObject({ content: 'over ws' });
  });

  it('an outage (stop, then start on the same port): refused reconnects, then reconnect and rejoin', async () => {
    // With the ws transport. Node 22's own WebSocket (undici 6) fires `error` but never `close`
    // when a connection attempt fails, so realtime-js never schedules another reconnect.
    const first = await startStandIn();
    const port = Number(new URL(first.url).port);
    const transportLog = new Recorder<string>();
    const client = connect(first, {
      transport: WebSocket as unknown as WebSocketLikeConstructor,
      logger: (kind: string, message: string) => {
        if (kind === 'transport') transportLog.push(message);
      },
    });
    const messages = subscribe(client, 'user-messages', 'messages', 'direction=eq.inbound');
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED');

    await first.stop();
    await messages.statuses.waitFor(is('CHANNEL_ERROR'), 'CHANNEL_ERROR when the server goes away');
    const failedFrom = transportLog.values.length;
    await transportLog.waitFor((message) => message === 'error', 'a refused reconnect attempt', failedFrom);

    const second = await startStandIn({ port });
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED after the outage', 1);
    second.publish({ table: 'messages', record: inbound('after the outage') });
    expect((await messages.changes.waitFor(() => true, 'message')).new).toMatchObject({ content: 'after the outage' });
  });

  it('realtime.params.vsn does not change the protocol: realtime-js appends its own vsn last', async () => {
    const target = await startStandIn();
    const client = connect(target, { params: { vsn: '1.0.0' } });
    const messages = subscribe(client, 'user-messages', 'messages');
    await messages.statuses.waitFor(is('SUBSCRIBED'), 'SUBSCRIBED');
    expect(target.lastVsn).toBe('2.0.0');
  });
});
