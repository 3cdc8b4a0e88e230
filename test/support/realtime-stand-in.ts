/**
 * A small Supabase Realtime server for tests, faithful to the wire protocol that the unmodified
 * `@supabase/supabase-js` 2.119 client speaks (Phoenix channels over WebSocket, protocol versions 1.0.0 and 2.0.0).
 *
 * - Serves `ws://127.0.0.1:<port>/realtime/v1/websocket?apikey=..&vsn=1.0.0|2.0.0`; `url` is the
 *   `http://` base to pass to `createClient` as SUPABASE_URL.
 * - Answers heartbeats, `phx_join` (echoing each `postgres_changes` binding with a stable integer
 *   id, then the `system` "Subscribed to PostgreSQL" message), `phx_leave` and `access_token`.
 * - `publish()` routes an INSERT to every joined channel whose binding matches schema, table,
 *   event and `filter`, evaluated here as the real server does, and pushes one `postgres_changes`
 *   frame per channel. With `databaseUrl`, rows inserted into `public.messages` and
 *   `public.events` are published through a NOTIFY trigger (our stand-in for logical replication).
 * - Fault switches reproduce what the real service and network do, so the client's statuses
 *   (CHANNEL_ERROR, TIMED_OUT, CLOSED) and its reconnects can be tested.
 *
 * Only ever sends frames that realtime-js can decode (5-element arrays on 2.0.0, objects on
 * 1.0.0), except where a method says otherwise: a frame it cannot decode throws out of the
 * client's message handler as an uncaught exception.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client, type Notification } from 'pg';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/** The path realtime-js connects to (`<SUPABASE_URL>/realtime/v1` + `/websocket`). */
export const REALTIME_PATH = '/realtime/v1/websocket';
/** The NOTIFY channel of the database feed; every object the feed installs starts with it. */
export const STAND_IN_NOTIFY_CHANNEL = 'realtime_stand_in';
/** The tables whose INSERTs the database feed publishes. */
export const STAND_IN_FEED_TABLES = ['messages', 'events'] as const;

export type RealtimeVsn = '1.0.0' | '2.0.0';

/**
 * How `phx_join` is answered. `ok`: like the real server. `refuse`: an error reply (client:
 * CHANNEL_ERROR, then rejoins every 1 s, 2 s, 5 s, 10 s). `ignore`: no reply (client: TIMED_OUT
 * after its `timeout`, a `phx_leave`, then the same rejoin loop). `mismatch`: an ok reply without
 * the bindings (client: CLOSED then CHANNEL_ERROR, terminal: it does not rejoin).
 */
export type JoinMode = 'ok' | 'refuse' | 'ignore' | 'mismatch';

export interface StandInColumn {
  name: string;
  /** Postgres `typname`: `uuid`, `text`, `int8`, `jsonb`, `timestamptz`, `_text`, ... */
  type: string;
}

export interface StandInChange {
  /** Defaults to `public`. */
  schema?: string;
  table: string;
  type?: 'INSERT';
  record: Record<string, unknown>;
  /**
   * Column types, which realtime-js uses to convert string values (`int4` '5' becomes 5, `bool`
   * 't' becomes true, ...). Defaults to types inferred from the JS values, chosen so that the
   * client hands the record over unchanged.
   */
  columns?: readonly StandInColumn[];
}

export interface RealtimeStandInOptions {
  /** Defaults to a free port. */
  port?: number;
  /** Feed INSERTs on public.messages and public.events from this database. */
  databaseUrl?: string;
}

/** Counters since `start()`. Read them, do not write them. */
export interface StandInStats {
  /** WebSocket connections accepted. */
  connections: number;
  /** `phx_join` frames received, whatever the join mode. */
  joins: number;
  /** Joins answered ok (including `mismatch` replies). */
  joinsAccepted: number;
  joinsRefused: number;
  leaves: number;
  /** Heartbeats received; `heartbeatReplies` of them were answered. */
  heartbeats: number;
  heartbeatReplies: number;
  accessTokens: number;
  /** `postgres_changes` frames written to a socket. */
  pushes: number;
  /** Changes not delivered because of `setPaused(true)`. */
  droppedWhilePaused: number;
  /** Client frames the stand-in could not decode. */
  badClientFrames: number;
  /** Notifications received from the database feed, and failures while handling them. */
  feedNotifications: number;
  feedErrors: number;
}

/** One frame in protocol terms, whatever the serializer. */
interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

type FilterOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';

interface FilterCondition {
  column: string;
  operator: FilterOperator;
  values: string[];
}

interface ServerBinding {
  /** The binding exactly as the client sent it; echoed back with `id`. */
  params: Record<string, unknown>;
  id: number;
  event: string | undefined;
  schema: string | undefined;
  table: string | undefined;
  /** `undefined` when the filter does not parse: the binding then never matches. */
  conditions: FilterCondition[] | undefined;
}

interface JoinedTopic {
  topic: string;
  joinRef: string | null;
  bindings: ServerBinding[];
}

interface Connection {
  ws: WebSocket;
  vsn: RealtimeVsn;
  topics: Map<string, JoinedTopic>;
}

export class RealtimeStandIn {
  /** `http://127.0.0.1:<port>`: pass it to `createClient` as the Supabase URL. */
  readonly url: string;
  readonly stats: StandInStats = {
    connections: 0,
    joins: 0,
    joinsAccepted: 0,
    joinsRefused: 0,
    leaves: 0,
    heartbeats: 0,
    heartbeatReplies: 0,
    accessTokens: 0,
    pushes: 0,
    droppedWhilePaused: 0,
    badClientFrames: 0,
    feedNotifications: 0,
    feedErrors: 0,
  };

  private readonly connections = new Set<Connection>();
  /** Emits `changed` after every state change, so `waitUntil` needs no polling. */
  private readonly events = new EventEmitter();
  private readonly pushTimers = new Set<NodeJS.Timeout>();
  private feed: DatabaseFeed | undefined;
  private heartbeatReplies = true;
  private joinMode: JoinMode = 'ok';
  private refuseReason = 'RealtimeDisabledForConfiguration: join refused by the stand-in';
  private pushDelayMs = 0;
  private paused = false;
  private latestAccessToken: string | undefined;
  private latestApiKey: string | undefined;
  private latestVsn: RealtimeVsn | undefined;
  private latestFeedError: unknown;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    const { port } = http.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.events.setMaxListeners(100);
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
  }

  static async start(options: RealtimeStandInOptions = {}): Promise<RealtimeStandIn> {
    const http = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"message":"the realtime stand-in only serves websockets"}');
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const standIn = new RealtimeStandIn(http, new WebSocketServer({ noServer: true }));
    if (options.databaseUrl !== undefined) {
      try {
        standIn.feed = await DatabaseFeed.start(options.databaseUrl, {
          publish: (change) => standIn.publish(change),
          notified: () => standIn.recordFeedNotification(),
          failed: (error) => standIn.recordFeedError(error),
        });
      } catch (error) {
        await standIn.stop();
        throw error;
      }
    }
    return standIn;
  }

  // ---------------------------------------------------------------------------------------------
  // Change delivery

  /**
   * Delivers an INSERT to every joined channel with a matching binding: one `postgres_changes`
   * frame per channel, carrying the ids of all its matching bindings. Returns how many channels
   * it was routed to (0 while paused). Clients that are not joined right now miss it, as with
   * the real service: there is no replay.
   */
  publish(change: StandInChange): number {
    const schema = change.schema ?? 'public';
    const type = change.type ?? 'INSERT';
    if (this.paused) {
      this.stats.droppedWhilePaused += 1;
      this.changed();
      return 0;
    }
    const data = {
      schema,
      table: change.table,
      commit_timestamp: new Date().toISOString(),
      type,
      columns: change.columns ?? inferColumns(change.record),
      record: change.record,
      errors: null,
    };
    let routed = 0;
    for (const connection of this.connections) {
      for (const joined of connection.topics.values()) {
        const ids = joined.bindings
          .filter((binding) => bindingMatches(binding, schema, change.table, type, change.record))
          .map((binding) => binding.id);
        if (ids.length === 0) continue;
        routed += 1;
        this.deliver(connection, {
          joinRef: null,
          ref: null,
          topic: joined.topic,
          event: 'postgres_changes',
          payload: { ids, data },
        });
      }
    }
    return routed;
  }

  // ---------------------------------------------------------------------------------------------
  // Fault switches

  /** Terminates every socket without a close frame (client: CHANNEL_ERROR `socket closed: 1006`, reconnect). */
  dropConnections(): void {
    for (const connection of [...this.connections]) {
      this.forget(connection);
      connection.ws.terminate();
    }
    this.changed();
  }

  /** `false`: heartbeats are read but never answered, the socket stays open and silent. */
  setHeartbeatReplies(on: boolean): void {
    this.heartbeatReplies = on;
  }

  /** See {@link JoinMode}. `reason` is the `response.reason` of refusals (`<Code>: <message>`). */
  setJoinMode(mode: JoinMode, reason?: string): void {
    this.joinMode = mode;
    if (reason !== undefined) this.refuseReason = reason;
  }

  /**
   * `phx_error` on every joined topic, as when the server's channel process crashes (client:
   * CHANNEL_ERROR `channel error: transport failure`, rejoin after 1 s). Returns the topic count.
   */
  sendPhxError(): number {
    return this.endTopics('phx_error');
  }

  /**
   * `phx_close` on every joined topic (client: CLOSED, no rejoin). With `reason`, a system error
   * message precedes it, as the real server does for e.g. `Token has expired 5 seconds ago`.
   * Returns the topic count.
   */
  sendPhxClose(reason?: string): number {
    return this.endTopics('phx_close', reason);
  }

  /**
   * Wrong-shape frames that realtime-js decodes and must ignore, to every socket: stray replies,
   * unknown events and topics, a change for binding ids nobody has, odd payload types, extra
   * array elements. Every payload is an object or a string, because realtime-js reads
   * `payload.status` when a logger is configured. Returns the number of frames sent.
   */
  sendMalformedFrame(): number {
    let sent = 0;
    for (const connection of this.connections) {
      const topics = [...connection.topics.keys()];
      const topic = topics[0] ?? 'realtime:stand-in-not-joined';
      const frames: unknown[][] = [
        [null, 'no-such-ref', 'phoenix', 'phx_reply', { status: 'ok', response: {} }],
        [null, null, 'phoenix', 'stand_in_unknown_event', {}],
        [null, null, 'realtime:stand-in-not-joined', 'postgres_changes', { ids: [1], data: {} }],
        [null, null, topic, 'stand_in_unknown_event', { surprise: true }],
        [null, null, topic, 'stand_in_unknown_event', 'a string payload'],
        [null, null, topic, 'phx_reply', { status: 'ok', response: {} }],
        [null, null, topic, 'system', {}],
        [null, null, topic, 'postgres_changes', staleChange()],
        [null, null, 'phoenix', 'stand_in_unknown_event', {}, 'sixth element'],
      ];
      for (const frame of frames) {
        const [joinRef, ref, frameTopic, event, payload] = frame;
        // 1.0.0 has no join_ref on server frames, and extra keys would be meaningless.
        const text =
          connection.vsn === '2.0.0'
            ? JSON.stringify(frame)
            : JSON.stringify({ topic: frameTopic, event, payload, ref: ref ?? joinRef });
        if (this.sendRaw(connection, text)) sent += 1;
      }
    }
    return sent;
  }

  /**
   * Sends `text` as-is to every socket, e.g. `'not json'` or a JSON object on 2.0.0. realtime-js
   * cannot decode such frames: the exception escapes its WebSocket message handler and becomes
   * an uncaught exception in the client's process (the connection itself keeps working).
   * Returns the number of sockets written to.
   */
  sendRawFrame(text: string): number {
    let sent = 0;
    for (const connection of this.connections) {
      if (this.sendRaw(connection, text)) sent += 1;
    }
    return sent;
  }

  /** Delays every change push by `ms` (pushes already scheduled keep their delay). */
  setPushDelay(ms: number): void {
    this.pushDelayMs = ms;
  }

  /** `true`: channels stay joined but changes are dropped, like lost notifications. */
  setPaused(on: boolean): void {
    this.paused = on;
  }

  // ---------------------------------------------------------------------------------------------
  // Observation

  /** Joined topics (`realtime:<channel>`), one entry per socket and topic, sorted. */
  joinedTopics(): string[] {
    const topics: string[] = [];
    for (const connection of this.connections) topics.push(...connection.topics.keys());
    return topics.sort();
  }

  /** Open sockets. */
  connectionCount(): number {
    return this.connections.size;
  }

  /** The latest `access_token` received, in a join payload or an `access_token` message. */
  get lastAccessToken(): string | undefined {
    return this.latestAccessToken;
  }

  /** The `apikey` query parameter of the latest connection. */
  get lastApiKey(): string | undefined {
    return this.latestApiKey;
  }

  /** The protocol version of the latest connection, as the server negotiated it. */
  get lastVsn(): RealtimeVsn | undefined {
    return this.latestVsn;
  }

  /** The latest error of the database feed, if any. */
  get lastFeedError(): unknown {
    return this.latestFeedError;
  }

  /** Resolves once at least `topicCount` topics are joined (see `joinedTopics`). */
  waitForJoined(topicCount: number, timeoutMs = 30_000): Promise<void> {
    return this.waitUntil(() => this.joinedTopics().length >= topicCount, timeoutMs, `${topicCount} joined topic(s)`);
  }

  /**
   * Resolves once `predicate` holds; re-evaluated after every state change of the stand-in
   * (connections, frames received, pushes, feed events), never by polling.
   */
  waitUntil(predicate: (standIn: this) => boolean, timeoutMs = 30_000, description = 'condition'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `realtime stand-in: timed out after ${timeoutMs} ms waiting for ${description}; ` +
              `joined=${JSON.stringify(this.joinedTopics())} stats=${JSON.stringify(this.stats)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('changed', check);
      };
      this.events.on('changed', check);
      check();
    });
  }

  /** Closes every socket, the database feed and the HTTP server. */
  async stop(): Promise<void> {
    for (const timer of this.pushTimers) clearTimeout(timer);
    this.pushTimers.clear();
    this.dropConnections();
    await this.feed?.stop();
    this.feed = undefined;
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------
  // Protocol

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    // A repeated query parameter: the last one wins, as in Phoenix (Plug). It matters because
    // realtime-js appends its own `vsn` after `realtime.params`, so `params: { vsn }` does not
    // change the protocol; only the `realtime.vsn` option does. Missing `vsn` means 1.0.0.
    const vsn = lastParam(url, 'vsn') ?? '1.0.0';
    if (url.pathname !== REALTIME_PATH || (vsn !== '1.0.0' && vsn !== '2.0.0')) {
      socket.end(
        url.pathname === REALTIME_PATH ? 'HTTP/1.1 400 Bad Request\r\n\r\n' : 'HTTP/1.1 404 Not Found\r\n\r\n',
      );
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: Connection = { ws, vsn, topics: new Map() };
      this.connections.add(connection);
      this.stats.connections += 1;
      this.latestApiKey = lastParam(url, 'apikey');
      this.latestVsn = vsn;
      ws.on('message', (data: RawData, isBinary: boolean) => this.receive(connection, data, isBinary));
      ws.on('close', () => {
        this.forget(connection);
        this.changed();
      });
      ws.on('error', () => ws.terminate());
      this.changed();
    });
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    if (!this.connections.has(connection)) return;
    const frame = isBinary ? undefined : decodeClientFrame(connection.vsn, rawText(data));
    if (frame === undefined) {
      // Binary frames are user broadcasts (2.0.0); nothing here uses them.
      this.stats.badClientFrames += 1;
    } else if (frame.topic === 'phoenix' && frame.event === 'heartbeat') {
      this.stats.heartbeats += 1;
      if (this.heartbeatReplies) {
        this.stats.heartbeatReplies += 1;
        this.send(connection, reply(frame, 'ok', {}));
      }
    } else if (frame.event === 'phx_join') {
      this.join(connection, frame);
    } else if (frame.event === 'phx_leave') {
      // Phoenix acknowledges the leave and closes the channel; realtime-js has already removed it.
      this.stats.leaves += 1;
      connection.topics.delete(frame.topic);
      this.send(connection, reply(frame, 'ok', {}));
    } else if (frame.event === 'access_token') {
      // The real server validates the token and never replies.
      this.stats.accessTokens += 1;
      const token = isRecord(frame.payload) ? frame.payload.access_token : undefined;
      if (typeof token === 'string') this.latestAccessToken = token;
    } else if (!connection.topics.has(frame.topic)) {
      this.send(connection, reply(frame, 'error', { reason: 'unmatched topic' }));
    }
    // Broadcast and presence on a joined topic are accepted silently.
    this.changed();
  }

  private join(connection: Connection, frame: Frame): void {
    this.stats.joins += 1;
    const payload = isRecord(frame.payload) ? frame.payload : {};
    if (typeof payload.access_token === 'string') this.latestAccessToken = payload.access_token;
    if (this.joinMode === 'ignore') return;
    if (this.joinMode === 'refuse') {
      this.stats.joinsRefused += 1;
      this.send(connection, reply(frame, 'error', { reason: this.refuseReason }));
      return;
    }
    const config = isRecord(payload.config) ? payload.config : {};
    const requested = Array.isArray(config.postgres_changes) ? config.postgres_changes : [];
    const bindings = requested.map((params) => toServerBinding(isRecord(params) ? params : {}));
    // A join on an already joined topic replaces the earlier join, and the newest join_ref wins.
    connection.topics.set(frame.topic, { topic: frame.topic, joinRef: frame.joinRef ?? frame.ref, bindings });
    this.stats.joinsAccepted += 1;
    const echoed = this.joinMode === 'mismatch' ? [] : bindings.map((b) => ({ ...b.params, id: b.id }));
    this.send(connection, reply(frame, 'ok', { postgres_changes: echoed }));
    if (bindings.length === 0) return;
    const invalid = bindings.find((binding) => binding.conditions === undefined);
    this.send(connection, {
      joinRef: frame.joinRef ?? frame.ref,
      ref: null,
      topic: frame.topic,
      event: 'system',
      payload: {
        channel: frame.topic.replace(/^realtime:/, ''),
        extension: 'postgres_changes',
        status: invalid === undefined ? 'ok' : 'error',
        message:
          invalid === undefined
            ? 'Subscribed to PostgreSQL'
            : `Error parsing \`filter\` params: ${JSON.stringify(invalid.params.filter)}`,
      },
    });
  }

  /** Sends `phx_error` or `phx_close` (ref = join_ref = the current join) and forgets the topics. */
  private endTopics(event: 'phx_error' | 'phx_close', systemError?: string): number {
    let count = 0;
    for (const connection of this.connections) {
      for (const joined of connection.topics.values()) {
        if (systemError !== undefined) {
          this.send(connection, {
            joinRef: joined.joinRef,
            ref: null,
            topic: joined.topic,
            event: 'system',
            payload: {
              channel: joined.topic.replace(/^realtime:/, ''),
              extension: 'system',
              status: 'error',
              message: systemError,
            },
          });
        }
        this.send(connection, {
          joinRef: joined.joinRef,
          ref: joined.joinRef,
          topic: joined.topic,
          event,
          payload: {},
        });
        count += 1;
      }
      connection.topics.clear();
    }
    this.changed();
    return count;
  }

  private deliver(connection: Connection, frame: Frame): void {
    if (this.pushDelayMs <= 0) {
      if (this.send(connection, frame)) this.stats.pushes += 1;
      this.changed();
      return;
    }
    const timer = setTimeout(() => {
      this.pushTimers.delete(timer);
      if (this.send(connection, frame)) this.stats.pushes += 1;
      this.changed();
    }, this.pushDelayMs);
    this.pushTimers.add(timer);
  }

  private send(connection: Connection, frame: Frame): boolean {
    return this.sendRaw(connection, encodeServerFrame(connection.vsn, frame));
  }

  private sendRaw(connection: Connection, text: string): boolean {
    if (connection.ws.readyState !== WebSocket.OPEN) return false;
    connection.ws.send(text);
    return true;
  }

  private forget(connection: Connection): void {
    connection.topics.clear();
    this.connections.delete(connection);
  }

  private recordFeedNotification(): void {
    this.stats.feedNotifications += 1;
    this.changed();
  }

  private recordFeedError(error: unknown): void {
    this.stats.feedErrors += 1;
    this.latestFeedError = error;
    this.changed();
  }

  private changed(): void {
    this.events.emit('changed');
  }
}

// -----------------------------------------------------------------------------------------------
// Database feed

interface FeedHandlers {
  publish(change: StandInChange): void;
  notified(): void;
  failed(error: unknown): void;
}

/**
 * Installs (idempotently, under an advisory lock; needs PostgreSQL 14+ for
 * CREATE OR REPLACE TRIGGER) `public.realtime_stand_in_notify()` and an
 * AFTER INSERT trigger `realtime_stand_in_notify` on each feed table, LISTENs on
 * `realtime_stand_in`, reads each committed row as `to_jsonb` with its column types and publishes
 * it. Notifications are handled one at a time, so changes are published in commit order.
 */
class DatabaseFeed {
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly client: Client,
    private readonly handlers: FeedHandlers,
  ) {}

  static async start(databaseUrl: string, handlers: FeedHandlers): Promise<DatabaseFeed> {
    const client = new Client({ connectionString: databaseUrl });
    const feed = new DatabaseFeed(client, handlers);
    // A lost connection is recorded, not thrown: the stand-in must not crash the test process.
    client.on('error', (error) => handlers.failed(error));
    await client.connect();
    try {
      await feed.install();
      client.on('notification', (notification) => feed.enqueue(notification));
      await client.query(`LISTEN ${STAND_IN_NOTIFY_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return feed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    await this.client.end().catch(() => undefined);
  }

  private async install(): Promise<void> {
    for (const table of STAND_IN_FEED_TABLES) {
      const found = await this.client.query<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [
        `public.${table}`,
      ]);
      if (found.rows[0]?.oid == null) {
        throw new Error(`realtime stand-in: table public.${table} does not exist; create it before starting the feed`);
      }
    }
    await this.client.query('BEGIN');
    try {
      // Concurrent installs (parallel test workers) would otherwise race on CREATE OR REPLACE.
      await this.client.query("SELECT pg_advisory_xact_lock(hashtext('realtime_stand_in'))");
      await this.client.query(`
        CREATE OR REPLACE FUNCTION public.realtime_stand_in_notify() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
          PERFORM pg_notify('${STAND_IN_NOTIFY_CHANNEL}',
            json_build_object('schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, 'id', NEW.id)::text);
          RETURN NULL;
        END
        $fn$`);
      for (const table of STAND_IN_FEED_TABLES) {
        await this.client.query(
          `CREATE OR REPLACE TRIGGER realtime_stand_in_notify AFTER INSERT ON public.${table}
           FOR EACH ROW EXECUTE FUNCTION public.realtime_stand_in_notify()`,
        );
      }
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private enqueue(notification: Notification): void {
    if (notification.channel !== STAND_IN_NOTIFY_CHANNEL) return;
    this.handlers.notified();
    this.queue = this.queue
      .then(() => this.handle(notification.payload))
      .catch((error: unknown) => this.handlers.failed(error));
  }

  private async handle(text: string | undefined): Promise<void> {
    if (this.stopped) return;
    const parsed: unknown = JSON.parse(text ?? 'null');
    if (!isRecord(parsed)) throw new Error(`realtime stand-in: bad notification payload ${String(text)}`);
    const { schema, table, id } = parsed;
    if (schema !== 'public' || !STAND_IN_FEED_TABLES.some((name) => name === table) || typeof table !== 'string') {
      throw new Error(`realtime stand-in: notification for an unexpected table ${String(text)}`);
    }
    const relation = `${this.client.escapeIdentifier(schema)}.${this.client.escapeIdentifier(table)}`;
    const row = await this.client.query<{ record: Record<string, unknown> }>(
      `SELECT to_jsonb(t) AS record FROM ${relation} t WHERE t.id = $1`,
      [id],
    );
    const columns = await this.client.query<StandInColumn>(
      `SELECT a.attname AS name, ty.typname AS type
         FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [relation],
    );
    const record = row.rows[0]?.record;
    if (record === undefined || this.stopped) return; // deleted before we read it
    this.handlers.publish({ schema, table, type: 'INSERT', record, columns: columns.rows });
  }
}

// -----------------------------------------------------------------------------------------------
// Pure helpers: framing, bindings, filters

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function lastParam(url: URL, name: string): string | undefined {
  return url.searchParams.getAll(name).at(-1);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/** 2.0.0: `[join_ref, ref, topic, event, payload]`; 1.0.0: `{topic, event, payload, ref, join_ref}`. */
function decodeClientFrame(vsn: RealtimeVsn, text: string): Frame | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) return undefined;
    const [joinRef, ref, topic, event, payload] = parsed as unknown[];
    if (typeof topic !== 'string' || typeof event !== 'string') return undefined;
    return { joinRef: stringOrNull(joinRef), ref: stringOrNull(ref), topic, event, payload };
  }
  if (!isRecord(parsed) || typeof parsed.topic !== 'string' || typeof parsed.event !== 'string') return undefined;
  return {
    joinRef: stringOrNull(parsed.join_ref),
    ref: stringOrNull(parsed.ref),
    topic: parsed.topic,
    event: parsed.event,
    payload: parsed.payload,
  };
}

/** 1.0.0 frames carry no `join_ref`, like Phoenix's V1 serializer. */
function encodeServerFrame(vsn: RealtimeVsn, frame: Frame): string {
  if (vsn === '2.0.0') return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload]);
  return JSON.stringify({ topic: frame.topic, event: frame.event, payload: frame.payload, ref: frame.ref });
}

/** A `phx_reply` to `frame`, with the same join_ref and ref. */
function reply(frame: Frame, status: 'ok' | 'error', response: Record<string, unknown>): Frame {
  return {
    joinRef: frame.joinRef,
    ref: frame.ref,
    topic: frame.topic,
    event: 'phx_reply',
    payload: { status, response },
  };
}

/** A well-formed change for a binding id that no channel has: the client must not deliver it. */
function staleChange(): Record<string, unknown> {
  return {
    ids: [-1],
    data: {
      schema: 'public',
      table: 'stand_in_nothing',
      commit_timestamp: new Date().toISOString(),
      type: 'INSERT',
      columns: [],
      record: {},
      errors: null,
    },
  };
}

function toServerBinding(params: Record<string, unknown>): ServerBinding {
  const filter = params.filter;
  let conditions: FilterCondition[] | undefined;
  if (filter === undefined || filter === null || filter === '') conditions = [];
  else if (typeof filter === 'string') conditions = parseFilter(filter);
  return {
    params,
    id: stableId(params),
    event: typeof params.event === 'string' ? params.event : undefined,
    schema: typeof params.schema === 'string' ? params.schema : undefined,
    table: typeof params.table === 'string' ? params.table : undefined,
    conditions,
  };
}

/**
 * The real server uses `:erlang.phash2(params)`: an integer, identical for identical bindings,
 * so ids survive rejoins. FNV-1a over the key-sorted JSON gives the same properties.
 */
function stableId(params: Record<string, unknown>): number {
  const canonical = JSON.stringify(params, Object.keys(params).sort());
  let hash = 0x811c9dc5;
  for (let i = 0; i < canonical.length; i += 1) {
    hash ^= canonical.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // phash2's range is 0..2^27-1; 0 is excluded because realtime-js ignores a falsy binding id.
  return ((hash >>> 0) % (2 ** 27 - 1)) + 1;
}

/**
 * `column=op.value`, several joined by commas (AND). Operators: eq, neq, lt, lte, gt, gte, and
 * `in.(a,b,"c d")`. Returns `undefined` when the filter does not parse.
 */
function parseFilter(filter: string): FilterCondition[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of filter) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  const conditions: FilterCondition[] = [];
  for (const part of parts) {
    const match = /^([^=]+)=(eq|neq|lt|lte|gt|gte|in)\.(.*)$/s.exec(part.trim());
    if (match === null) return undefined;
    const [, column, operator, value] = match as unknown as [string, string, FilterOperator, string];
    if (operator === 'in') {
      const list = /^\((.*)\)$/s.exec(value);
      if (list === null) return undefined;
      const values = (list[1] ?? '').split(',').map((item) => item.trim().replace(/^"(.*)"$/s, '$1'));
      conditions.push({ column: column.trim(), operator, values });
    } else {
      conditions.push({ column: column.trim(), operator, values: [value] });
    }
  }
  return conditions;
}

function bindingMatches(
  binding: ServerBinding,
  schema: string,
  table: string,
  type: string,
  record: Record<string, unknown>,
): boolean {
  if (binding.event !== '*' && binding.event?.toUpperCase() !== type) return false;
  if (binding.schema !== '*' && binding.schema !== schema) return false;
  if (binding.table !== undefined && binding.table !== '*' && binding.table !== table) return false;
  return binding.conditions !== undefined && binding.conditions.every((condition) => conditionHolds(condition, record));
}

/** As in SQL, a NULL or missing column never satisfies a condition. */
function conditionHolds(condition: FilterCondition, record: Record<string, unknown>): boolean {
  const raw = record[condition.column];
  if (raw === undefined || raw === null) return false;
  const actual = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const [first = ''] = condition.values;
  switch (condition.operator) {
    case 'eq':
      return compare(actual, first) === 0;
    case 'neq':
      return compare(actual, first) !== 0;
    case 'lt':
      return compare(actual, first) < 0;
    case 'lte':
      return compare(actual, first) <= 0;
    case 'gt':
      return compare(actual, first) > 0;
    case 'gte':
      return compare(actual, first) >= 0;
    case 'in':
      return condition.values.some((value) => compare(actual, value) === 0);
  }
}

/** Numbers compare as numbers, anything else as text. */
function compare(actual: string, expected: string): number {
  const a = Number(actual);
  const b = Number(expected);
  if (actual.trim() !== '' && expected.trim() !== '' && Number.isFinite(a) && Number.isFinite(b)) return a - b;
  return actual < expected ? -1 : actual > expected ? 1 : 0;
}

/** Column types for which realtime-js leaves the record's values exactly as they are. */
function inferColumns(record: Record<string, unknown>): StandInColumn[] {
  return Object.entries(record).map(([name, value]) => {
    if (typeof value === 'number') return { name, type: Number.isInteger(value) ? 'int8' : 'float8' };
    if (typeof value === 'boolean') return { name, type: 'bool' };
    if (typeof value === 'object' && value !== null) return { name, type: 'jsonb' };
    return { name, type: 'text' };
  });
}
