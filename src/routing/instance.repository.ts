import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

/** Rows of instances gone this long are deleted by the next heartbeat of anyone: the table stays small. */
const FORGET_AFTER_MS = 3_600_000;

/** `processor_instances`: who is alive, by heartbeats on the database's clock. */
@Injectable()
export class InstanceRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Records this instance's heartbeat and returns every instance alive now (itself included): one
   * statement. The CTE's SELECT sees the table as it was before the upsert, hence the UNION.
   */
  async heartbeat(instanceId: string, livenessMs: number): Promise<string[]> {
    const rows = await this.database.query<{ instance_id: string }>(
      `WITH beat AS (
         INSERT INTO processor_instances (instance_id) VALUES ($1)
         ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = now()
         RETURNING instance_id
       ), forgotten AS (
         DELETE FROM processor_instances
         WHERE instance_id <> $1 AND heartbeat_at < now() - $3 * interval '1 millisecond'
       )
       SELECT instance_id FROM processor_instances
       WHERE instance_id <> $1 AND heartbeat_at > now() - $2 * interval '1 millisecond'
       UNION SELECT instance_id FROM beat`,
      [instanceId, livenessMs, FORGET_AFTER_MS],
    );
    return rows.map((row) => row.instance_id).sort();
  }

  /** Leaving on shutdown: the others route this instance's users elsewhere at their next heartbeat. */
  async leave(instanceId: string): Promise<void> {
    await this.database.query(`DELETE FROM processor_instances WHERE instance_id = $1`, [instanceId]);
  }
}
