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

/**
 * Every read as a subquery of one statement: one connection, one round trip and one snapshot per
 * turn instead of one per read. Each read's rows come back as a JSON array (empty, never NULL) in
 * the read's `order`, given inside the aggregate (a read without one returns at most one row).
 */
export const oneStatement = <T>(reads: ReadSet<T>): string =>
  `SELECT ${namesOf(reads)
    .map((name) => {
      const { sql, order } = reads[name];
      const agg = order ? `json_agg(read_rows ORDER BY ${order})` : 'json_agg(read_rows)';
      return `(SELECT coalesce(${agg}, '[]'::json) FROM (${sql}) read_rows) AS "${name}"`;
    })
    .join(',\n       ')}`;

/** Runs `statement` (the set's `oneStatement`) and maps each read's rows as if it had run alone. */
export async function readInOneStatement<T>(
  database: DatabaseService,
  reads: ReadSet<T>,
  statement: string,
  params: unknown[],
  userId: string,
): Promise<T> {
  const [row] = await database.query<Record<string, Row[]>>(statement, params);
  return Object.fromEntries(namesOf(reads).map((name) => [name, reads[name].map(row[name], userId)])) as T;
}

/** Each read alone, all at once, each on its own pooled connection (the reference). */
export async function readEachAlone<T>(
  database: DatabaseService,
  reads: ReadSet<T>,
  params: unknown[],
  userId: string,
): Promise<T> {
  const values = await Promise.all(
    namesOf(reads).map(async (name) => {
      const read = reads[name];
      const rows = await database.query(read.sql, params.slice(0, read.arity));
      return [name, read.map(rows, userId)] as const;
    }),
  );
  return Object.fromEntries(values) as T;
}
