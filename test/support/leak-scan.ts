import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** A string that must appear in no log line and no stored error text: a secret or a message body. */
export interface Needle {
  kind: 'secret' | 'body';
  name: string;
  value: string;
}

export interface Leak {
  needle: string;
  where: string;
  count: number;
}

export interface LeakScan {
  logLines: number;
  storedErrors: number;
  leaks: Leak[];
}

/**
 * Every column of the public schema whose name says it holds an error (last_error,
 * error_message, error, error_log, ...): the stored error texts, whichever table grows one next.
 */
async function storedErrorTexts(pool: pg.Pool): Promise<Array<{ where: string; text: string }>> {
  const { rows: columns } = await pool.query<{ table_name: string; column_name: string }>(`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name ILIKE '%error%' AND data_type IN ('text', 'character varying', 'jsonb')
      AND table_name NOT LIKE 'test\\_%' AND table_name NOT LIKE 'chaos\\_%'`);
  const texts: Array<{ where: string; text: string }> = [];
  for (const { table_name: table, column_name: column } of columns) {
    const { rows } = await pool.query<{ text: string }>(
      `SELECT "${column}"::text AS text FROM "${table}" WHERE "${column}" IS NOT NULL`,
    );
    for (const row of rows) texts.push({ where: `${table}.${column}`, text: row.text });
  }
  return texts;
}

/**
 * Reads every line every instance logged during the run and every stored error text, and reports
 * each needle found: where, and how often. Case-insensitive for bodies, exact for secrets.
 */
export async function scanForLeaks(logFiles: string[], pool: pg.Pool, needles: Needle[]): Promise<LeakScan> {
  const found = new Map<string, Leak>();
  const hit = (needle: Needle, where: string) => {
    const key = `${needle.name}@${where}`;
    const leak = found.get(key) ?? { needle: `${needle.kind}: ${needle.name}`, where, count: 0 };
    leak.count += 1;
    found.set(key, leak);
  };
  const matches = (needle: Needle, text: string) =>
    needle.kind === 'secret' ? text.includes(needle.value) : text.toLowerCase().includes(needle.value.toLowerCase());
  // JSON log lines escape quotes: look for a needle as written and as a JSON string holds it.
  const forms = (needle: Needle): Needle[] => {
    const escaped = JSON.stringify(needle.value).slice(1, -1);
    return escaped === needle.value ? [needle] : [needle, { ...needle, value: escaped }];
  };

  let logLines = 0;
  for (const file of logFiles) {
    const lines = readFileSync(file, 'utf8').split('\n');
    logLines += lines.length;
    for (const line of lines) {
      for (const needle of needles) {
        if (forms(needle).some((form) => matches(form, line))) hit(needle, `log ${file.split('/').pop()}`);
      }
    }
  }
  const errors = await storedErrorTexts(pool);
  for (const { where, text } of errors) {
    for (const needle of needles) if (matches(needle, text)) hit(needle, where);
  }
  return { logLines, storedErrors: errors.length, leaks: [...found.values()] };
}
