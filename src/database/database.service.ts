import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient, type QueryConfig, type QueryResultRow } from 'pg';
import type { EmbeddedPostgresSupervisor } from './embedded-postgres.supervisor';

export type Queryable = Pick<PoolClient, 'query'>;

/**
 * Statement timeouts by purpose. The pool's default is short: claims, commits, lease renewals and a
 * turn's own reads touch a few indexed rows, so a statement that runs longer is blocked or the
 * database is in trouble, and it must fail and free its connection quickly (a held connection is a
 * slot less for every other user's reply). Only reads across the whole backlog, off the reply path
 * (the catch-up sweep, the backlog gauges), may legitimately take longer after a long outage left a
 * large backlog: they run through `background` with the longer timeout.
 */
export interface StatementTimeouts {
  backgroundStatementMs: number;
  /** How much longer than the server's timeout the client waits for an answer (a dead server). */
  clientMarginMs: number;
}

/** Longest wait for the pool's connections to close on shutdown (inside Cloud Run's 10 s). */
const CLOSE_WAIT_MS = 2000;

/**
 * The service's PostgreSQL: a pool for queries and transactions, and the connection URL for the
 * few clients that need a dedicated connection (LISTEN). Closed after every other hook has run.
 */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);

  constructor(
    readonly pool: Pool,
    readonly url: string,
    private readonly embedded?: EmbeddedPostgresSupervisor,
    private readonly timeouts?: StatementTimeouts,
  ) {
    // An idle client losing its connection (database restart) must not crash the process.
    pool.on('error', (error) =>
      this.logger.warn({ event: 'db_pool_client_error', err: error }, 'idle database connection lost'),
    );
    // Nor a checked-out one: pg emits 'error' on a client whose server goes away even between two
    // queries, and an 'error' event nobody listens to ends the process. This listener lives as long
    // as the connection; the query or transaction using it still gets its own error.
    pool.on('connect', (client) =>
      client.on('error', (error) =>
        this.logger.debug({ event: 'db_connection_error', err: error }, 'database connection lost'),
      ),
    );
  }

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  async query<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const result = await this.pool.query<R>(sql, params);
    return result.rows;
  }

  /**
   * Runs `work` in one transaction; rolls back on any error and rethrows it. `durable: false`
   * commits without waiting for the WAL flush (synchronous_commit off, for this transaction only):
   * for writes that may vanish in a database crash without harm because nothing outside the
   * database has acted on them yet — a claim, whose loss only lets the work be claimed again. Any
   * later durable commit flushes them too (the WAL is written in order).
   */
  async transaction<T>(
    work: (client: PoolClient) => Promise<T>,
    { durable = true, statementTimeoutMs }: { durable?: boolean; statementTimeoutMs?: number } = {},
  ): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client whose server goes away between two queries emits 'error' with nobody
    // waiting on a query: without a listener that would crash the process. The next query fails
    // instead, and the transaction rolls back through the normal path.
    const onError = (error: Error) =>
      this.logger.warn({ event: 'db_client_error', err: error }, 'connection lost mid-transaction');
    client.on('error', onError);
    try {
      // One round trip either way: a simple query may carry both statements.
      const settings = [
        ...(durable ? [] : ['SET LOCAL synchronous_commit TO OFF']),
        ...(statementTimeoutMs === undefined
          ? []
          : [`SET LOCAL statement_timeout TO ${Math.round(statementTimeoutMs)}`]),
      ];
      await client.query(['BEGIN', ...settings].join('; '));
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release();
    }
  }

  /**
   * Runs `work`, a read across the backlog off the reply path, with the longer background statement
   * timeout (see StatementTimeouts) instead of the pool's short default, in its own transaction.
   */
  async background<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    const timeouts = this.timeouts;
    if (!timeouts) return work(this.pool);
    const queryTimeout = timeouts.backgroundStatementMs + timeouts.clientMarginMs;
    return this.transaction(
      (client) =>
        work({
          // The client's own bound follows the longer server timeout (the pool's is for short statements).
          query: ((text: string, values?: unknown[]) =>
            client.query({ text, values, query_timeout: queryTimeout } as QueryConfig)) as Queryable['query'],
        }),
      { statementTimeoutMs: timeouts.backgroundStatementMs },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const closed = this.connectionsClosed();
    await this.pool.end().catch((error: unknown) => this.logger.warn({ err: error }, 'closing the pool failed'));
    await closed;
    await this.embedded?.stop();
  }

  /**
   * pool.end() resolves once every client is released, before their connections have closed; the
   * pool emits 'remove' for each client once its connection has. Waits for those (bounded: a dead
   * network must not hold the shutdown), so the embedded PostgreSQL never stops under an open
   * connection and the shutdown logs no spurious "connection lost".
   */
  private connectionsClosed(): Promise<void> {
    let open = this.pool.totalCount;
    if (open === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      this.pool.on('remove', () => {
        open -= 1;
        if (open === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
}
