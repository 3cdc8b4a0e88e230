/**
 * `npm run seed -- --demo [--phone +15550100100]`
 *
 * Creates the demo member of the README (a verified Concierge member with a pending community
 * question, an intro opportunity, an offered intro and a request to meet), in the service's
 * database: DATABASE_URL, or the embedded PostgreSQL of the development default (start the
 * service first, `npm start`, so the schema exists). Then `npm run chat -- --phone <phone>`.
 */
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { EnvironmentError, loadEnvironment } from '../config/environment';
import { embeddedDatabaseUrl } from '../database/embedded-postgres.credentials';
import { PHONE } from './chat.repository';
import { DEMO_PHONE, seedDemo } from './demo-seed';
import { DEMO_INNOVATOR_PHONE, seedInnovatorDemo } from './demo-seed.innovator';

const USAGE = 'usage: npm run seed -- --demo [--phone +15550100100]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      demo: { type: 'boolean', default: false },
      phone: { type: 'string', default: DEMO_PHONE },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.demo) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!PHONE.test(values.phone)) {
    process.stderr.write(`${USAGE}\n(--phone must be E.164, e.g. +15550100100)\n`);
    return 2;
  }
  const env = loadEnvironment();
  const pool = new Pool({
    connectionString: env.DATABASE_URL ?? embeddedDatabaseUrl(env.EMBEDDED_DB_PORT),
    max: 1,
    application_name: 'seed',
  });
  pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const seeded = await seedDemo(client, values.phone);
    const innovator = await seedInnovatorDemo(client, DEMO_INNOVATOR_PHONE);
    await client.query('COMMIT');
    process.stdout.write(
      `Demo member Dana Reyes (verified, Concierge) at ${seeded.phone}.\nTry: npm run chat -- --phone ${seeded.phone}\n` +
        `Demo innovator Avery Quinn (Ledgerly) at ${innovator.phone}.\nTry: npm run chat -- --phone ${innovator.phone}\n`,
    );
    return 0;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof EnvironmentError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`seed failed: ${message}\n`);
    process.exit(1);
  },
);
