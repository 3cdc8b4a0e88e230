import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';

/** The statement's name on the server: the same text always gets the same name. */
export const statementName = (text: string) => `rp_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;

/**
 * DB_PREPARED_STATEMENTS: every parameterised query of the pool's connections goes as a named
 * statement (node-postgres parses and plans it once per connection, then only binds and
 * executes). Statements without parameters (BEGIN, COMMIT, a multi-statement simple query) are
 * left as they are. Needs a connection that keeps its prepared statements: a direct connection or
 * Supabase's session-mode pooler, not a transaction-mode pooler.
 */
export function prepareStatements(pool: Pool): void {
  pool.on('connect', (client: PoolClient) => {
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    const named = (...args: unknown[]): unknown => {
      const [first, second] = args;
      if (typeof first === 'string' && Array.isArray(second) && second.length > 0) {
        return send({ name: statementName(first), text: first, values: second }, ...args.slice(2));
      }
      if (typeof first === 'object' && first !== null && !('name' in first)) {
        const config = first as QueryConfig;
        const values = config.values ?? (Array.isArray(second) ? second : undefined);
        if (typeof config.text === 'string' && values && values.length > 0) {
          return send(
            { ...config, values, name: statementName(config.text) },
            ...args.slice(Array.isArray(second) ? 2 : 1),
          );
        }
      }
      return send(...args);
    };
    client.query = named as PoolClient['query'];
  });
}
