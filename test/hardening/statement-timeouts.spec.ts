import type { TestingModule } from '@nestjs/testing';
import { DatabaseService } from '../../src/database/database.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { repositoryModule } from './repository-module';

const settingsSql = `SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout`;

/**
 * Statement timeouts by purpose: short by default (claims, commits, renewals: a blocked statement
 * frees its connection fast), longer only for backlog-wide reads off the reply path.
 */
describe('statement timeouts by purpose', () => {
  let db: TestDatabase;
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const moduleRef of modules) await moduleRef.close();
    await db?.drop();
  });

  async function database(env: Record<string, string> = {}): Promise<DatabaseService> {
    const moduleRef = await repositoryModule(db.url, env);
    modules.push(moduleRef);
    return moduleRef.get(DatabaseService);
  }

  it('by default a statement gets 5 s (and a lock wait 3 s); only background reads get 30 s', async () => {
    const service = await database();
    expect(await service.query(settingsSql)).toEqual([{ statement_timeout: '5s', lock_timeout: '3s' }]);
    expect(await service.transaction(async (client) => (await client.query(settingsSql)).rows)).toEqual([
      { statement_timeout: '5s', lock_timeout: '3s' },
    ]);
    expect(await service.background(async (client) => (await client.query(settingsSql)).rows)).toEqual([
      { statement_timeout: '30s', lock_timeout: '3s' },
    ]);
    // The longer timeout ends with its transaction: the connection goes back to the pool short.
    expect(await service.query(settingsSql)).toEqual([{ statement_timeout: '5s', lock_timeout: '3s' }]);
  });

  it('a slow statement fails on the short timeout, and the same one runs to its end as a background read', async () => {
    const service = await database({ DB_STATEMENT_TIMEOUT_MS: '200', DB_BACKGROUND_STATEMENT_TIMEOUT_MS: '5000' });
    await expect(service.query(`SELECT pg_sleep(0.5)`)).rejects.toThrow(/statement timeout/);
    await expect(service.background((client) => client.query(`SELECT pg_sleep(0.5)`))).resolves.toMatchObject({
      rowCount: 1,
    });
    await expect(service.background((client) => client.query(`SELECT pg_sleep(6)`))).rejects.toThrow(
      /statement timeout/,
    );
  });
});
