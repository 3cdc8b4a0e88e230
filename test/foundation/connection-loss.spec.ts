import { Pool } from 'pg';
import { DatabaseService } from '../../src/database/database.service';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * A database restart ends every connection at once, whatever each one is doing. pg emits
 * 'error' on a client that loses its server even between two queries, and an 'error' event
 * that nobody listens to ends the process (the chaos run saw an instance die this way).
 */
describe('connections lost to a database restart', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
    new DatabaseService(pool, db.url);
  });

  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  const terminateAll = () =>
    db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );

  it('keeps the process up when a checked-out connection is lost between two queries', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      await client.query('SELECT 1');
      const lost = new Promise((resolve) => client.once('end', resolve));
      await terminateAll();
      await lost;
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    // The pool still serves queries on fresh connections.
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});
