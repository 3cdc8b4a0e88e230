/** `npm run db:migrate`: applies the migrations to DATABASE_URL, or to the embedded database. */
import { Logger } from '@nestjs/common';
import { loadEnvironment } from '../config/environment';
import { EmbeddedPostgresSupervisor } from './embedded-postgres.supervisor';
import { runMigrations } from './migrations.runner';

async function main(): Promise<void> {
  const env = loadEnvironment();
  const logger = new Logger('Migrate');
  const embedded = env.DATABASE_URL
    ? undefined
    : await EmbeddedPostgresSupervisor.start({ dataDir: env.EMBEDDED_DB_DIR, port: env.EMBEDDED_DB_PORT });
  try {
    await runMigrations(env.DATABASE_URL ?? embedded!.url, logger);
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
