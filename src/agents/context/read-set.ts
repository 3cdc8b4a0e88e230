import type { ConfigService } from '@nestjs/config';
import type { ConciergeContextReads, Environment } from '../../config/environment';
import type { DatabaseService } from '../../database/database.service';

/**
 * A row as a read returns it. Timestamps are Dates when the read ran alone and ISO strings when it
 * ran inside the one statement (JSON): `toDate` makes them the same Date (both keep milliseconds).
 * Likewise a count or sum (bigint) is a string alone and a number from JSON: map it with Number.
 */
export type Row = Record<string, unknown>;

export const toDate = (value: unknown): Date | null =>
  value === null || value === undefined ? null : value instanceof Date ? value : new Date(value as string);

/**
 * One read of a member agent's turn context: its SQL and how its rows become a value. Its
 * parameters are the first `arity` of the set's shared parameters, so it can run alone or as a
 * subquery of the one statement that runs the whole set.
 */
export interface Read<V> {
  arity: number;
  sql: string;
  /**
   * The read's ORDER BY over its own output columns (ending in a unique column, so ties are
   * broken the same way every time), for the aggregate of the one statement. Every read of more
   * than one row gives it: PostgreSQL promises an aggregate's order only from its own ORDER BY.
   */
  order?: string;
  map(rows: Row[], userId: string): V;
}

export type ReadSet<T> = { [K in keyof T]: Read<T[K]> };

const namesOf = <T>(reads: ReadSet<T>) => Object.keys(reads) as Array<keyof T & string>;

/** Each read set's one statement, built once (the sets are module constants). */
const statements = new WeakMap<object, string>();

/**
 * Every read as a subquery of one statement: one connection, one round trip and one snapshot per
 * turn instead of one per read. Each read's rows come back as a JSON array (empty, never NULL) in
 * the read's `order`, given inside the aggregate (a read without one returns at most one row).
 */
export function oneStatement<T>(reads: ReadSet<T>): string {
  let statement = statements.get(reads);
  if (statement === undefined) {
    statement = `SELECT ${namesOf(reads)
      .map((name) => {
        const { sql, order } = reads[name];
        const agg = order ? `json_agg(read_rows ORDER BY ${order})` : 'json_agg(read_rows)';
        return `(SELECT coalesce(${agg}, '[]'::json) FROM (${sql}) read_rows) AS "${name}"`;
      })
      .join(',\n       ')}`;
    statements.set(reads, statement);
  }
  return statement;
}

/** How the member agents' context reads reach PostgreSQL (CONCIERGE_CONTEXT_READS). */
export const contextReadsMode = (config: ConfigService<Environment, true>): ConciergeContextReads =>
  config.get('CONCIERGE_CONTEXT_READS', { infer: true }) ?? 'one_statement';

/**
 * A read set's values for `userId`: `one_statement` sends the set's one statement and maps each
 * read's rows as if it had run alone; `parallel` sends each read alone, all at once, each on its
 * own pooled connection (the reference). Both give the same values.
 */
export async function readAll<T>(
  database: DatabaseService,
  mode: ConciergeContextReads,
  reads: ReadSet<T>,
  params: unknown[],
  userId: string,
): Promise<T> {
  if (mode === 'parallel') {
    const values = await Promise.all(
      namesOf(reads).map(async (name) => {
        const read = reads[name];
        const rows = await database.query(read.sql, params.slice(0, read.arity));
        return [name, read.map(rows, userId)] as const;
      }),
    );
    return Object.fromEntries(values) as T;
  }
  const [row] = await database.query<Record<string, Row[]>>(oneStatement(reads), params);
  return Object.fromEntries(namesOf(reads).map((name) => [name, reads[name].map(row[name], userId)])) as T;
}
