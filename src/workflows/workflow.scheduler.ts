import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { PoolClient } from 'pg';
import type { Environment } from '../config/environment';
import { DatabaseService } from '../database/database.service';
import { AgentTaskRunner } from './tasks/agent-task.runner';

/** Work on a timer that only one instance may do at a time (e.g. closing expired requests). */
export interface TimerJob {
  readonly name: string;
  /** Runs inside a transaction that holds the job's advisory lock; returns how many rows it changed. */
  run(client: PoolClient): Promise<number>;
}

export const TIMER_JOBS = Symbol('TIMER_JOBS');

/**
 * The workflows' clock: every TASK_POLL_INTERVAL_MS it runs due agent_tasks and then each timer
 * job under a transaction-scoped advisory lock (an instance that cannot take it skips the round).
 * Rounds never overlap; shutdown waits for the one in progress.
 */
@Injectable()
export class WorkflowScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkflowScheduler.name);
  private readonly stop = new AbortController();
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly tasks: AgentTaskRunner,
    private readonly database: DatabaseService,
    config: ConfigService<Environment, true>,
    @Inject(TIMER_JOBS) private readonly jobs: TimerJob[],
  ) {
    this.intervalMs = config.get('TASK_POLL_INTERVAL_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.stop.abort();
    await this.running;
  }

  /** Starts a round unless one is running; resolves when that round ends (a round never rejects). */
  tick(): Promise<void> {
    if (this.stop.signal.aborted) return Promise.resolve();
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    try {
      await this.tasks.runDue(this.stop.signal);
    } catch (error) {
      this.logger.warn({ event: 'task_round_failed', err: error }, 'running due tasks failed; the timer will retry');
    }
    for (const job of this.jobs) {
      if (this.stop.signal.aborted) return;
      try {
        const changed = await this.database.transaction(async (client) => {
          const locked = await client.query<{ locked: boolean }>(
            `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
            [`workflow-job:${job.name}`],
          );
          return locked.rows[0].locked ? job.run(client) : 0;
        });
        if (changed > 0) this.logger.log({ event: 'timer_job_ran', job: job.name, changed }, 'timer job ran');
      } catch (error) {
        this.logger.warn({ event: 'timer_job_failed', job: job.name, err: error }, 'timer job failed; will retry');
      }
    }
  }
}
