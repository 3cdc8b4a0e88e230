import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { EmbeddedPostgresSupervisor } from './embedded-postgres.supervisor';

export type Queryable = Pick<PoolClient, 'query'>;

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
  }

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  async query<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const result = await this.pool.query<R>(sql, params);
    return result.rows;
  }

  /** Runs `work` in one transaction; rolls back on any error and rethrows it. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch((error: unknown) => this.logger.warn({ err: error }, 'closing the pool failed'));
    await this.embedded?.stop();
  }
}
