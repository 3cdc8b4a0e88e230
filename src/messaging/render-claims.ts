import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { ClaimRepository } from '../routing/claim.repository';
import { EngineSettings } from '../routing/engine-settings';

/** A render claim held by this instance. */
export interface RenderClaim {
  readonly key: string;
  readonly token: string;
}

/**
 * Who renders a user's queued text. Rendering calls the model (seconds, and paid), and every
 * instance's dispatcher may reach the same unit at once; a claim in `processing_claims`
 * (`render:<userId>`) lets one of them render while the others treat the user as busy and come
 * back later. Only an optimisation: the unit is decided again under the user's lock before
 * anything is sent, so a claim lost (lease expired, instance gone) costs a second render at
 * worst, never a second text.
 */
@Injectable()
export class RenderClaims {
  constructor(
    private readonly database: DatabaseService,
    private readonly claims: ClaimRepository,
    private readonly settings: EngineSettings,
  ) {}

  /** The claim, or null while another instance renders for this user. */
  async take(userId: string): Promise<RenderClaim | null> {
    const key = `render:${userId}`;
    const token = await this.database.transaction(
      (client) => this.claims.take(client, key, this.settings.owner, this.settings.leaseMs),
      { durable: false },
    );
    return token === null ? null : { key, token };
  }

  async release(claim: RenderClaim): Promise<void> {
    await this.database.transaction((client) => this.claims.release(client, claim.key, claim.token), {
      durable: false,
    });
  }
}
