/**
 * `npm run chat -- --phone +15551234567 [--message "hi"] [--timeout 30]`
 *
 * Talks to the running service as an SMS sender would: writes the inbound row the way the Twilio
 * webhook does, then prints the agent's reply once it is committed. Without --message it reads
 * lines interactively for a whole conversation. Uses the service's database: DATABASE_URL, or the
 * embedded PostgreSQL of the development default (start the service first: `npm start`).
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { EnvironmentError, loadEnvironment, type Environment } from '../config/environment';
import { ChatRepository, PHONE, type ReplyWait } from './chat.repository';
import { embeddedDatabaseUrl } from '../database/embedded-postgres.credentials';

const USAGE = 'usage: npm run chat -- --phone +15551234567 [--message "hi"] [--timeout 30]';

/** The embedded PostgreSQL's address (src/database/embedded-postgres.main.ts): local-only, fixed credentials. */
function databaseUrl(env: Environment): string {
  return env.DATABASE_URL ?? embeddedDatabaseUrl(env.EMBEDDED_DB_PORT);
}

function print(wait: ReplyWait, timeoutMs: number): boolean {
  switch (wait.state) {
    case 'answered':
      for (const reply of wait.replies) process.stdout.write(`${reply.role}> ${reply.content}\n`);
      return true;
    case 'done':
      process.stdout.write('(no reply: the agent had nothing to say)\n');
      return true;
    case 'dead':
      for (const reply of wait.replies) process.stdout.write(`${reply.role}> ${reply.content}\n`);
      process.stdout.write('(the service gave up on this message)\n');
      return false;
    case 'timeout':
      process.stderr.write(`no reply within ${timeoutMs / 1000} s: is the service running (npm start)?\n`);
      return false;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      phone: { type: 'string' },
      message: { type: 'string' },
      timeout: { type: 'string', default: '30' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const phone = values.phone;
  const timeoutMs = Number(values.timeout) * 1000;
  if (!phone || !PHONE.test(phone) || !(timeoutMs > 0)) {
    process.stderr.write(`${USAGE}\n(--phone must be E.164, e.g. +15551234567)\n`);
    return 2;
  }

  const pool = new Pool({ connectionString: databaseUrl(loadEnvironment()), max: 2, application_name: 'chat' });
  pool.on('error', () => undefined);
  const chat = new ChatRepository(pool);
  const exchange = async (text: string): Promise<boolean> => {
    const messageId = await chat.send(phone, text);
    return print(await chat.waitForReply(messageId, { timeoutMs }), timeoutMs);
  };
  try {
    if (values.message !== undefined) return (await exchange(values.message)) ? 0 : 1;
    process.stdout.write(`Texting as ${phone}. Type a message, Ctrl-D to quit.\n`);
    const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
    lines.setPrompt('you> ');
    lines.prompt();
    for await (const line of lines) {
      if (line.trim() !== '') await exchange(line.trim());
      lines.prompt();
    }
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof EnvironmentError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`chat failed: ${message}\n`);
    process.exit(1);
  },
);
