import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ConciergeContextReads, Environment } from '../../config/environment';
import { DatabaseService } from '../../database/database.service';
import {
  CONCIERGE_READS,
  CONCIERGE_READS_IN_ONE_STATEMENT,
  conciergeReadParams,
  mapOneStatementRow,
  readNames,
  type ConciergeReads,
} from './concierge-context.reads';

/**
 * The Concierge's reads: only rows of this member, bounded. It never writes. CONCIERGE_CONTEXT_READS
 * picks how they reach PostgreSQL: `one_statement` (the default) sends them as one statement on one
 * connection; `parallel` sends each alone, all at once, each on its own pooled connection (the
 * reference the benchmark compares with). Both give the same ConciergeReads.
 */
@Injectable()
export class ConciergeRepository {
  private readonly mode: ConciergeContextReads;

  constructor(
    private readonly database: DatabaseService,
    config: ConfigService<Environment, true>,
  ) {
    this.mode = config.get('CONCIERGE_CONTEXT_READS', { infer: true }) ?? 'one_statement';
  }

  read(userId: string, now: Date): Promise<ConciergeReads> {
    return this.mode === 'parallel' ? this.readInParallel(userId, now) : this.readInOneStatement(userId, now);
  }

  async readInOneStatement(userId: string, now: Date): Promise<ConciergeReads> {
    const [row] = await this.database.query<Parameters<typeof mapOneStatementRow>[0]>(
      CONCIERGE_READS_IN_ONE_STATEMENT,
      conciergeReadParams(userId, now),
    );
    return mapOneStatementRow(row, userId);
  }

  async readInParallel(userId: string, now: Date): Promise<ConciergeReads> {
    const params = conciergeReadParams(userId, now);
    const values = await Promise.all(
      readNames().map(async (name) => {
        const read = CONCIERGE_READS[name];
        const rows = await this.database.query(read.sql, params.slice(0, read.arity));
        return [name, read.map(rows, userId)] as const;
      }),
    );
    return Object.fromEntries(values) as unknown as ConciergeReads;
  }
}
