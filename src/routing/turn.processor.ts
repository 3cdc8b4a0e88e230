import { Injectable, Logger } from '@nestjs/common';
import { AgentDispatcher } from '../agents/agent-dispatcher';
import { AppEventBus } from '../events/app-event-bus';
import { ClaimRepository } from './claim.repository';
import { EngineSettings } from './engine-settings';
import { errorText } from './error-text';
import { BAD_INPUT_REASONS } from './inbound-validation';
import { ProcessingStats } from './processing-stats';
import { deadReasonOf, failureKind } from './failure-kind';
import { retryDelayMs } from './retry-policy';
import { TurnRepository, type ClaimedTurn } from './turn.repository';
import { WorkAttempt } from './work-attempt';

/** Runs agent turns for one user: claim → agent → commit, or a retry, a dead letter or a release. */
@Injectable()
export class TurnProcessor {
  private readonly logger = new Logger(TurnProcessor.name);

  constructor(
    private readonly turns: TurnRepository,
    private readonly claims: ClaimRepository,
    private readonly dispatcher: AgentDispatcher,
    private readonly settings: EngineSettings,
    private readonly stats: ProcessingStats,
    private readonly bus: AppEventBus,
  ) {}

  /** Takes turns for the user until nothing is left for now (a burst beyond one turn's limit takes several). */
  async run(userId: string | null, messageId: string, shutdown: AbortSignal): Promise<void> {
    for (;;) {
      if (shutdown.aborted) return;
      const claim = await this.turns.claim(
        userId,
        messageId,
        this.settings.owner,
        this.settings.leaseMs,
        this.settings.maxMessagesPerTurn,
        this.settings.retryHorizonMs,
      );
      for (const rejected of claim.rejected ?? []) {
        this.stats.rejected(rejected.reason);
        this.stats.dead('message', 'bad_input');
        this.bus.emit('work.dead', { kind: 'message', id: rejected.id, reason: 'bad_input', userId });
        this.logger.warn(
          { event: 'message_bad_input', userId, messageId: rejected.id, reason: rejected.reason },
          `inbound row refused: ${BAD_INPUT_REASONS[rejected.reason]}; marked dead`,
        );
      }
      if (claim.kind !== 'claimed') return;
      await this.process(claim.turn, shutdown);
      if (claim.turn.messages.length < this.settings.maxMessagesPerTurn) return;
    }
  }

  private async process(turn: ClaimedTurn, shutdown: AbortSignal): Promise<void> {
    const attempt = new WorkAttempt(this.claims, turn, this.settings, shutdown, this.logger);
    const messageIds = turn.messages.map((message) => message.id);
    const ids = { userId: turn.userId, messageId: messageIds[messageIds.length - 1], messageIds };
    this.stats.started();
    try {
      const result = await this.dispatcher.handleTurn({ userId: turn.userId, messageIds }, { signal: attempt.signal });
      const committed = await this.turns.commit(turn, result);
      const duration = attempt.elapsedMs;
      if (committed === 'stale') {
        this.stats.finished('message', 'stale', duration);
        this.logger.warn(
          { event: 'turn_stale', ...ids, duration },
          'claim lost before commit; another worker owns this turn',
        );
        return;
      }
      this.stats.finished('message', 'done', duration);
      if (result.outcome.replies.length > 0) {
        // created_at is the database's clock, Date.now() this instance's: both NTP-synced on Cloud Run and Supabase.
        const committedAt = Date.now();
        this.stats.replied(
          turn.messages
            .filter((message) => message.role === 'user')
            .map((message) => (committedAt - message.createdAt.getTime()) / 1000),
        );
      }
      this.logger.log(
        {
          event: 'message_processed',
          ...ids,
          duration,
          agentType: result.agent,
          replies: result.outcome.replies.length,
        },
        'turn committed',
      );
    } catch (error) {
      await this.onFailure(turn, error, attempt, ids);
    } finally {
      attempt.stop();
    }
  }

  private async onFailure(
    turn: ClaimedTurn,
    error: unknown,
    attempt: WorkAttempt,
    ids: Record<string, unknown>,
  ): Promise<void> {
    const duration = attempt.elapsedMs;
    const interruption = attempt.interruption();
    try {
      if (interruption === 'shutdown') {
        await this.turns.release(turn);
        this.stats.finished('message', 'released', duration);
        this.logger.warn(
          { event: 'turn_released', ...ids, duration },
          'shutting down: turn released for another instance',
        );
        return;
      }
      if (interruption === 'lease-lost') {
        this.stats.finished('message', 'stale', duration);
        this.logger.warn({ event: 'turn_stale', ...ids, duration }, 'claim lost during the turn; abandoned');
        return;
      }
      const attempts = Math.max(...turn.messages.map((message) => message.attempts));
      const delay = retryDelayMs(this.settings.retry, attempts);
      const kind = failureKind(error);
      const text = errorText(error);
      const failure = await this.turns.fail(turn, text, this.settings.retry.maxAttempts, delay, {
        kind,
        outageBudgetMs: this.settings.outageBudgetMs,
        holdingAfterMs: this.settings.holdingAfterMs,
      });
      if (failure === 'stale') {
        this.stats.finished('message', 'stale', duration);
        return;
      }
      if (failure.held) {
        this.logger.warn({ event: 'holding_text_queued', ...ids, failure: kind }, 'queued one holding text');
      }
      if (failure.dead.length > 0) {
        this.stats.finished('message', 'dead', duration);
        const reason = deadReasonOf(kind);
        for (const id of failure.dead) {
          this.stats.dead('message', reason);
          this.bus.emit('work.dead', {
            kind: 'message',
            id,
            reason,
            userId: turn.userId,
            attempts,
          });
        }
        this.logger.error(
          {
            event: 'message_dead',
            ...ids,
            deadMessageIds: failure.dead,
            attempts,
            failure: kind,
            duration,
            err: error,
          },
          kind === 'outage'
            ? 'message waited out the whole outage budget and is dead; the user got a fallback reply'
            : 'message failed on every attempt and is dead; the user got a fallback reply',
        );
      } else {
        this.stats.finished('message', 'retry', duration);
        this.logger.warn(
          {
            event: 'message_retry',
            ...ids,
            attempts,
            failure: kind,
            retryAt: failure.retryAt,
            err: error,
          },
          'turn failed; will retry',
        );
      }
    } catch (bookkeepingError) {
      // The claim's lease expires and another attempt takes the turn over: nothing is lost.
      this.stats.finished('message', 'retry', duration);
      this.logger.error(
        { event: 'turn_bookkeeping_failed', ...ids, err: bookkeepingError },
        'could not record a failed turn',
      );
    }
  }
}
