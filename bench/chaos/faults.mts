import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import pg from 'pg';
import { lockClaims, type ClaimsLock } from '../../test/support/claims-lock.ts';
import { RealtimeStandIn } from '../../test/support/realtime-stand-in.ts';
import type { ModelMode, ScriptedModel } from '../../test/support/scripted-model.ts';
import { type Instance, type RestartablePostgres, timeUntil } from './cluster.mts';

export interface ChaosWorld {
  instances: Instance[];
  /** One model per instance (same index), so a fault can catch one instance's model call. */
  models: ScriptedModel[];
  postgres: RestartablePostgres;
  databaseUrl: string;
  /** The chaos run's own small pool, for the faults' queries. */
  pool: pg.Pool;
  leaseMs: number;
  /** Present when the instances use the supabase feed. */
  realtime?: { standIn: RealtimeStandIn; port: number };
  random: () => number;
  /** SIGTERM exits that were slower than 10 s or not code 0. */
  badExits: number[];
  /** SIGSTOP faults whose thawed turn was seen bringing its late commit to the fence. */
  turnsCaughtFrozen: number;
  /** SIGSTOP tries given up and tried again, by why (no turn caught, frozen inside a claims transaction, ...). */
  sigstopMisses: Record<string, number>;
  /** Inbound texts the faults wrote themselves (the SIGSTOP fault's one more text per frozen turn). */
  textsWrittenByFaults: number;
}

export interface Fault {
  kind: string;
  /** Injects the fault, ends it, and returns the milliseconds until the system recovered (NaN: never). */
  run(world: ChaosWorld): Promise<number>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const allHealthy = (world: ChaosWorld) => async () =>
  (await Promise.all(world.instances.map((i) => i.healthy()))).every(Boolean);
const pickIndex = (world: ChaosWorld, length: number): number => Math.floor(world.random() * length);
const setModels = (world: ChaosWorld, mode: ModelMode) => {
  for (const model of world.models) model.mode = mode;
};
const modelRequests = (world: ChaosWorld) =>
  world.models.reduce((sum, model) => sum + model.standIn.requests.length, 0);

/** Milliseconds until some inbound text is answered after the fault ended (NaN: not within the limit). */
async function untilProgress(world: ChaosWorld, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  const done = async () => {
    try {
      const { rows } = await world.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state = 'done'`,
      );
      return rows[0].n;
    } catch {
      return Number.NaN;
    }
  };
  let before = Number.NaN;
  await timeUntil(async () => !Number.isNaN((before = await done())), timeoutMs);
  const progressed = await timeUntil(async () => (await done()) > before, timeoutMs - (performance.now() - started));
  return Number.isNaN(progressed) ? Number.NaN : performance.now() - started;
}

function killInstance(signal: NodeJS.Signals): Fault {
  return {
    kind: `${signal.toLowerCase()}-instance`,
    async run(world) {
      const instance = world.instances[pickIndex(world, world.instances.length)];
      const wasRunning = instance.running;
      const exitMs = await instance.kill(signal);
      if (signal === 'SIGTERM' && wasRunning && (exitMs > 10_000 || instance.lastExit?.code !== 0))
        world.badExits.push(exitMs);
      await instance.start();
      return timeUntil(() => instance.healthy(), 30_000);
    },
  };
}

/**
 * Freezes an instance (SIGSTOP) while it holds a turn and waits for the model's last answer,
 * with that answer already sent; writes one more text for each user whose turn it holds, and keeps
 * it frozen past its lease until another instance has taken those turns over (and answered); then
 * thaws it (SIGCONT) with the claims table locked, and keeps
 * the lock until the thawed turn's commit is seen waiting on it — its lease renewal, queued behind
 * the same lock, cannot abort the turn first, however slowly the thawed process catches up. So the
 * late commit reaches the fence every time: the fence must refuse it (the instance logs
 * `turn_stale` "claim lost before commit"); with TEST_BREAK_FENCE the commit goes through and the
 * reply audit must see the double answer. A try that does not get that far (no turn caught, a
 * freeze inside a claims transaction, no takeover) is given up and tried again.
 *
 * The extra text does two things, so that nothing is left to timing. Its wake-up makes another
 * instance take the expired claim at once, instead of at a later sweep: the freeze stays well
 * inside the turn timeout, which would otherwise fire first on the thaw (timers run before I/O)
 * and abandon the turn before its commit. And the new owner's reply group then answers a later
 * last text than the frozen turn's, so the frozen turn's replies do not collide with it on the
 * (reply_to_message_id, sequence_index) key: with the fence broken they go through, and the late
 * commit reaches the done-marker, as a real double answer would.
 */
const sigstopPastLease: Fault = {
  kind: 'sigstop-past-lease',
  async run(world) {
    const index = pickIndex(world, world.instances.length);
    const instance = world.instances[index];
    const model = world.models[index];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const result = await catchLateCommit(world, instance, model);
      if (result === 'caught') {
        world.turnsCaughtFrozen += 1;
        break;
      }
      world.sigstopMisses[result] = (world.sigstopMisses[result] ?? 0) + 1;
      await pause(500);
    }
    return timeUntil(() => instance.healthy(), 30_000);
  },
};

/** One try of the SIGSTOP fault: `caught` when the thawed turn's commit was seen reaching the fence, else why not. */
async function catchLateCommit(
  world: ChaosWorld,
  instance: Instance,
  model: ScriptedModel,
): Promise<'caught' | 'no turn to catch' | 'no takeover' | 'no lock' | 'no commit seen'> {
  const held = model.holdNextRender();
  const caught = await Promise.race([held.arrived.then(() => true), pause(10_000).then(() => false)]);
  if (!caught) {
    model.cancelHolds();
    return 'no turn to catch';
  }
  instance.freeze();
  held.release();
  await pause(300);
  const { rows } = await world.pool
    .query<{ claim_key: string }>(`SELECT claim_key FROM processing_claims WHERE owner = $1`, [instance.name])
    .catch(() => ({ rows: [] as Array<{ claim_key: string }> }));
  // Only turns: the instance may also hold claims (events, timers) that nobody retakes soon.
  const keys = rows.map((row) => row.claim_key).filter((key) => key.startsWith('user:'));
  if (keys.length === 0) {
    instance.thaw();
    return 'no turn to catch';
  }
  world.textsWrittenByFaults += await textAgain(
    world,
    keys.map((key) => key.slice('user:'.length)),
  );
  await pause(world.leaseMs + 500);
  // Past the lease: wait (bounded) until every turn it held was taken over or finished by others.
  const takenOver = await timeUntil(async () => {
    const left = await world.pool
      .query(`SELECT 1 FROM processing_claims WHERE owner = $1 AND claim_key = ANY($2::text[])`, [instance.name, keys])
      .catch(() => ({ rowCount: 1 }));
    return left.rowCount === 0;
  }, 20_000);
  if (!Number.isFinite(takenOver)) {
    instance.thaw();
    return 'no takeover';
  }
  // Ask for the claims table lock before the thaw. The frozen instance may sit inside a transaction
  // on that table (another turn's claim or commit); then the request queues behind it, and every
  // later request on the table, the thawed lease renewal included, queues behind ours. The lock is
  // granted as soon as that transaction ends, before the renewal can run.
  let settled = false;
  const locking = lockClaims(world.pool, 15_000)
    .catch(() => undefined)
    .finally(() => (settled = true));
  await timeUntil(async () => settled || (await claimsLockQueued(world)), 3000);
  instance.thaw();
  const lock = await locking;
  if (!lock) return 'no lock';
  try {
    return Number.isFinite(await timeUntil(() => lateCommitWaiting(world, instance), 10_000))
      ? 'caught'
      : 'no commit seen';
  } finally {
    await lock.release();
  }
}

/** Writes one more inbound text for each user, in the conversation of their last text; returns how many. */
async function textAgain(world: ChaosWorld, userIds: string[]): Promise<number> {
  const written = await world.pool
    .query(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
       SELECT DISTINCT ON (user_id) conversation_id, user_id, 'user', 'hi', 'inbound', 'delivered', clock_timestamp()
       FROM messages WHERE user_id = ANY($1::uuid[]) AND direction = 'inbound'
       ORDER BY user_id, created_at DESC`,
      [userIds],
    )
    .catch(() => ({ rowCount: 0 }));
  return written.rowCount ?? 0;
}

/** True while a `LOCK TABLE processing_claims` (ours) waits in the lock queue. */
async function claimsLockQueued(world: ChaosWorld): Promise<boolean> {
  const { rows } = await world.pool
    .query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'LOCK TABLE processing_claims%'`,
    )
    .catch(() => ({ rows: [{ n: 0 }] }));
  return rows[0].n > 0;
}

/**
 * True when one of the instance's own database connections waits on the claims lock with a turn's
 * commit: the fence (`... token = $2 FOR UPDATE`) or, with the fence broken, the done-marker.
 * Its connections are found by their client ports, read from /proc (Linux).
 */
async function lateCommitWaiting(world: ChaosWorld, instance: Instance): Promise<boolean> {
  const pid = instance.child?.pid;
  if (pid === undefined) return false;
  const ports = tcpPortsOf(pid);
  if (ports.length === 0) return false;
  const { rows } = await world.pool
    .query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND client_port = ANY($1::int[]) AND wait_event_type = 'Lock'
         AND (query ILIKE '%FROM processing_claims WHERE claim_key = $1 AND token = $2 FOR UPDATE%'
           OR query ILIKE '%UPDATE messages SET processing_state = ''done''%')`,
      [ports],
    )
    .catch(() => ({ rows: [{ n: 0 }] }));
  return rows[0].n > 0;
}

/** The local TCP ports of a process's sockets (its side of each database connection). */
function tcpPortsOf(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]);
      } catch {
        // the descriptor closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length > 9 && inodes.has(columns[9])) ports.push(parseInt(columns[1].split(':')[1], 16));
    }
  }
  return ports;
}

/**
 * Locks the claims table for a few seconds: every claim, lease renewal and commit of every
 * instance waits on it, each holding a pooled connection, until the pools are exhausted. Then
 * everything must drain and work again.
 */
const exhaustPool: Fault = {
  kind: 'exhaust-pool',
  async run(world) {
    let lock: ClaimsLock | undefined;
    for (let attempt = 0; attempt < 5 && !lock; attempt += 1)
      lock = await lockClaims(world.pool).catch(() => undefined);
    if (!lock) return Number.NaN;
    await pause(3000 + world.random() * 2000);
    await lock.release();
    return untilProgress(world);
  },
};

/** Takes every free connection slot of the database server for a few seconds, then gives them back. */
const exhaustServerConnections: Fault = {
  kind: 'exhaust-server-connections',
  async run(world) {
    const hogs: pg.Client[] = [];
    for (let i = 0; i < 300; i += 1) {
      const client = new pg.Client({ connectionString: world.databaseUrl, connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        hogs.push(client);
      } catch {
        break; // "too many clients": the server is full
      }
    }
    await pause(3000 + world.random() * 2000);
    await Promise.all(hogs.map((client) => client.end().catch(() => undefined)));
    return untilProgress(world);
  },
};

const restartDatabase: Fault = {
  kind: 'restart-database',
  async run(world) {
    await world.postgres.stop();
    await pause(1000 + world.random() * 2000);
    await world.postgres.start();
    // The Realtime stand-in reads changes from the database, like Supabase; give it a new feed.
    if (world.realtime) {
      await world.realtime.standIn.stop();
      world.realtime.standIn = await RealtimeStandIn.start({
        port: world.realtime.port,
        databaseUrl: world.databaseUrl,
      });
    }
    return timeUntil(allHealthy(world), 60_000);
  },
};

/** A window of 529s, answers slower than the turn timeout, or no answer at all until the turn times out. */
function modelWindow(
  mode: Exclude<ModelMode, 'healthy'>,
  kind: string,
  windowMs: (world: ChaosWorld) => number,
): Fault {
  return {
    kind,
    async run(world) {
      setModels(world, mode);
      await pause(windowMs(world));
      setModels(world, 'healthy');
      // Recovered when the model answers again: the next request after the window.
      const seen = modelRequests(world);
      return timeUntil(() => Promise.resolve(modelRequests(world) > seen), 60_000);
    },
  };
}

function realtimeFault(kind: string, inject: (standIn: RealtimeStandIn) => Promise<void> | void): Fault {
  return {
    kind,
    async run(world) {
      if (!world.realtime) return Number.NaN;
      await inject(world.realtime.standIn);
      return timeUntil(allHealthy(world), 60_000);
    },
  };
}

/** The long profile's model outage: 529 on every call for `minutes`, under full load. */
export function modelStorm(minutes: number): Fault {
  return modelWindow('overloaded', 'model-529-storm', () => minutes * 60_000);
}

/** Every fault kind of a run; the run draws them from a shuffled bag, so each one runs. */
export function faultsFor(feed: 'supabase' | 'postgres'): Fault[] {
  const common = [
    killInstance('SIGKILL'),
    killInstance('SIGTERM'),
    sigstopPastLease,
    restartDatabase,
    exhaustPool,
    exhaustServerConnections,
    modelWindow('overloaded', 'model-529', (world) => 3000 + world.random() * 3000),
    modelWindow('slow', 'model-slow', () => 3000),
    modelWindow('hang', 'model-hang', () => 3000),
  ];
  if (feed === 'postgres') return common;
  return [
    ...common,
    realtimeFault('realtime-drop', (standIn) => standIn.dropConnections()),
    realtimeFault('realtime-stall-heartbeats', async (standIn) => {
      standIn.setHeartbeatReplies(false);
      await pause(4000);
      standIn.setHeartbeatReplies(true);
    }),
    realtimeFault('realtime-phx-close', (standIn) => void standIn.sendPhxClose()),
    realtimeFault('realtime-phx-error', (standIn) => void standIn.sendPhxError()),
  ];
}
