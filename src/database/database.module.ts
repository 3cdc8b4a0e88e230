import { Global, Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import type { Environment } from '../config/environment';
import { DatabaseService } from './database.service';
import { EmbeddedPostgresSupervisor } from './embedded-postgres.supervisor';
import { runMigrations } from './migrations.runner';
import { prepareStatements } from './prepared-statements';

/** How much longer than the server's statement timeout the client waits for an answer. */
const QUERY_TIMEOUT_MARGIN_MS = 5000;

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
  const statementTimeoutMs = config.get('DB_STATEMENT_TIMEOUT_MS', { infer: true });
  const pool = new Pool({
    connectionString: url,
    max: config.get('MAX_CONCURRENCY', { infer: true }) + 4,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    application_name: 'realtime-processor',
    // A blocked row lock or a stalled statement fails instead of holding a connection: without
    // these, renewals queued behind one 45 s lock took the whole pool. The default is short, for
    // claims, commits and renewals; backlog-wide reads ask for longer (DatabaseService.background).
    statement_timeout: statementTimeoutMs,
    lock_timeout: config.get('DB_LOCK_TIMEOUT_MS', { infer: true }),
    // The client's own bound, for a server or network that stops answering at all.
    query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    // A dead peer (a frozen database, a dropped NAT entry) is noticed by TCP instead of never.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  if (config.get('DB_PREPARED_STATEMENTS', { infer: true })) prepareStatements(pool);
  return new DatabaseService(pool, url, embedded, {
    backgroundStatementMs: config.get('DB_BACKGROUND_STATEMENT_TIMEOUT_MS', { infer: true }),
    clientMarginMs: QUERY_TIMEOUT_MARGIN_MS,
  });
}

@Global()
@Module({
  providers: [{ provide: DatabaseService, useFactory: connect, inject: [ConfigService] }],
  exports: [DatabaseService],
})
export class DatabaseModule {}
