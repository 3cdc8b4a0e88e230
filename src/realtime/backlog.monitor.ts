import { Injectable, Logger } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { BacklogRepository, type BacklogSnapshot } from './backlog.repository';

/**
 * The latest backlog read, for /metrics: the catch-up sweep refreshes it (at most once per
 * `minIntervalMs`), so a scrape never touches the database and a busy sweep adds one read, not one
 * per wake-up.
 */
@Injectable()
export class BacklogMonitor {
  private readonly logger = new Logger(BacklogMonitor.name);
  private latest?: BacklogSnapshot;
  private lastAttemptAt = 0;

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: BacklogRepository,
  ) {}

  /** Undefined until the first read succeeds. */
  snapshot(): BacklogSnapshot | undefined {
    return this.latest;
  }

  async refresh(minIntervalMs: number, now = Date.now()): Promise<void> {
    if (now - this.lastAttemptAt < minIntervalMs) return;
    this.lastAttemptAt = now;
    try {
      this.latest = await this.database.background((client) => this.repository.read(client));
    } catch (error) {
      this.logger.warn(
        { event: 'backlog_read_failed', err: error },
        'could not read the backlog; metrics keep the last read',
      );
    }
  }
}
