import { Global, Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import type { Environment } from '../config/environment';
import { DatabaseService } from './database.service';
import { EmbeddedPostgresSupervisor } from './embedded-postgres.supervisor';
import { runMigrations } from './migrations.runner';

async function connect(config: ConfigService<Environment, true>): Promise<DatabaseService> {
  const logger = new Logger('Database');
  let url = config.get('DATABASE_URL', { infer: true });
  let embedded: EmbeddedPostgresSupervisor | undefined;
  if (url === undefined) {
    // Validation already refused this in production.
    embedded = await EmbeddedPostgresSupervisor.start({
      dataDir: config.get('EMBEDDED_DB_DIR', { infer: true }),
      port: config.get('EMBEDDED_DB_PORT', { infer: true }),
    });
    url = embedded.url;
    logger.warn(
      { event: 'embedded_database' },
      `DATABASE_URL unset: using the embedded PostgreSQL (data in ${config.get('EMBEDDED_DB_DIR', { infer: true })})`,
    );
  }
  try {
    await runMigrations(url, logger);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const pool = new Pool({
    connectionString: url,
    max: config.get('MAX_CONCURRENCY', { infer: true }) + 4,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    application_name: 'realtime-processor',
  });
  return new DatabaseService(pool, url, embedded);
}

@Global()
@Module({
  providers: [{ provide: DatabaseService, useFactory: connect, inject: [ConfigService] }],
  exports: [DatabaseService],
})
export class DatabaseModule {}
