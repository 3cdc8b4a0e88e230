import { Pool } from 'pg';
import { prepareStatements, statementName } from '../../src/database/prepared-statements';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** DB_PREPARED_STATEMENTS on real PostgreSQL: parameterised queries become named statements. */
describe('prepared statements', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 1 });
    prepareStatements(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const prepared = async (client: { query: Pool['query'] }) =>
    (await client.query<{ name: string }>(`SELECT name FROM pg_prepared_statements ORDER BY name`)).rows.map(
      (row) => row.name,
    );

  it('sends parameterised queries as named statements, once per text, and answers them right', async () => {
    const text = `SELECT $1::int + $2::int AS sum`;
    expect((await pool.query(text, [1, 2])).rows).toEqual([{ sum: 3 }]);
    expect((await pool.query({ text, values: [5, 6] })).rows).toEqual([{ sum: 11 }]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN; SET LOCAL synchronous_commit TO OFF');
      expect((await client.query(text, [2, 2])).rows).toEqual([{ sum: 4 }]);
      await client.query('COMMIT');
      expect(await prepared(client)).toEqual([statementName(text)]);
    } finally {
      client.release();
    }
  });

  it('leaves a pool without the option alone', async () => {
    const plain = new Pool({ connectionString: db.url, max: 1 });
    try {
      await plain.query(`SELECT $1::int AS n`, [1]);
      expect(await prepared(plain)).toEqual([]);
    } finally {
      await plain.end();
    }
  });
});
