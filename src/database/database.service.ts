import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { EmbeddedPostgresSupervisor } from './embedded-postgres.supervisor';

export type Queryable = Pick<PoolClient, 'query'>;

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
  async transaction<T>(work: (client: PoolClient) => Promise<T>, { durable = true } = {}): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client whose server goes away between two queries emits 'error' with nobody
    // waiting on a query: without a listener that would crash the process. The next query fails
    // instead, and the transaction rolls back through the normal path.
    const onError = (error: Error) =>
      this.logger.warn({ event: 'db_client_error', err: error }, 'connection lost mid-transaction');
    client.on('error', onError);
    try {
      // One round trip either way: a simple query may carry both statements.
      await client.query(durable ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit TO OFF');
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
