import { RealtimeStandIn } from '../../test/support/realtime-stand-in.ts';
import { type Instance, type RestartablePostgres, timeUntil } from './cluster.mts';
import type { ScriptedModel } from '../../test/support/scripted-model.ts';

export interface ChaosWorld {
  instances: Instance[];
  postgres: RestartablePostgres;
  databaseUrl: string;
  model: ScriptedModel;
  /** Present when the instances use the supabase feed. */
  realtime?: { standIn: RealtimeStandIn; port: number };
  random: () => number;
  /** SIGTERM exits that were slower than 10 s or not code 0. */
  badExits: number[];
}

export interface Fault {
  kind: string;
  /** Injects the fault, ends it, and returns the milliseconds until the system recovered (NaN: never). */
  run(world: ChaosWorld): Promise<number>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const allHealthy = (world: ChaosWorld) => async () =>
  (await Promise.all(world.instances.map((i) => i.healthy()))).every(Boolean);
const pick = <T,>(world: ChaosWorld, items: T[]): T => items[Math.floor(world.random() * items.length)];

function killInstance(signal: NodeJS.Signals): Fault {
  return {
    kind: `${signal.toLowerCase()}-instance`,
    async run(world) {
      const instance = pick(world, world.instances);
      const wasRunning = instance.running;
      const exitMs = await instance.kill(signal);
      if (signal === 'SIGTERM' && wasRunning && (exitMs > 10_000 || instance.lastExit?.code !== 0))
        world.badExits.push(exitMs);
      await instance.start();
      return timeUntil(() => instance.healthy(), 30_000);
    },
  };
}

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

function modelWindow(mode: 'overloaded' | 'slow'): Fault {
  return {
    kind: mode === 'overloaded' ? 'model-529' : 'model-slow',
    async run(world) {
      world.model.mode = mode;
      await pause(3000 + world.random() * 3000);
      world.model.mode = 'healthy';
      // Recovered when the model answers again: the next decision request after the window.
      const seen = world.model.standIn.requests.length;
      return timeUntil(() => Promise.resolve(world.model.standIn.requests.length > seen), 30_000);
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

export function faultsFor(feed: 'supabase' | 'postgres'): Fault[] {
  const common = [
    killInstance('SIGKILL'),
    killInstance('SIGTERM'),
    restartDatabase,
    modelWindow('overloaded'),
    modelWindow('slow'),
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
