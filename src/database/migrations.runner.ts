import { runner } from 'node-pg-migrate';
import { join } from 'node:path';

/** supabase/migrations at the repository root; the same files a Supabase project applies. */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'supabase', 'migrations');

export interface MigrationLog {
  log(message: string): void;
}

/**
 * Applies pending migrations. node-pg-migrate holds an advisory lock while it runs, so two
 * instances booting at once apply each migration once: the second waits, then finds nothing to do.
 */
export async function runMigrations(databaseUrl: string, log: MigrationLog): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log: () => undefined,
  });
  const names = applied.map((migration) => migration.name);
  log.log(names.length > 0 ? `applied migrations: ${names.join(', ')}` : 'database schema is up to date');
  return names;
}
