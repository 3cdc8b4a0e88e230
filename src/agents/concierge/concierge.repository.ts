import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ConciergeContextReads, Environment } from '../../config/environment';
import { DatabaseService } from '../../database/database.service';
import { contextReadsMode, readAll } from '../context/read-set';
import { CONCIERGE_READS, conciergeReadParams, type ConciergeReads } from './concierge-context.reads';

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
    this.mode = contextReadsMode(config);
  }

  read(userId: string, now: Date): Promise<ConciergeReads> {
    return readAll(this.database, this.mode, CONCIERGE_READS, conciergeReadParams(userId, now), userId);
  }
}
