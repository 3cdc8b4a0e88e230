import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { AppEvents } from '../../src/events/app-events';

export type RecordedWakeUp =
  { kind: 'message'; id: string; source: string } | { kind: 'event'; id: string; source: string };

/**
 * Listens on the app's EventEmitter2 (the bus under AppEventBus) and records every wake-up;
 * `waitFor` resolves on the first matching one, driven by the events themselves.
 */
export class WakeUpRecorder {
  readonly wakeUps: RecordedWakeUp[] = [];
  readonly subscribed: string[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(emitter: EventEmitter2) {
    emitter.on('inbound-message.noticed', (payload: AppEvents['inbound-message.noticed']) =>
      this.push({ kind: 'message', id: payload.messageId, source: payload.source }),
    );
    emitter.on('agent-event.noticed', (payload: AppEvents['agent-event.noticed']) =>
      this.push({ kind: 'event', id: payload.eventId, source: payload.source }),
    );
    emitter.on('feed.subscribed', (payload: AppEvents['feed.subscribed']) => {
      this.subscribed.push(payload.channel);
      this.notify();
    });
  }

  of(id: string): RecordedWakeUp[] {
    return this.wakeUps.filter((wakeUp) => wakeUp.id === id);
  }

  waitFor(match: (recorder: WakeUpRecorder) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!match(this)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; recorded ${JSON.stringify(this.wakeUps.slice(-20))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private push(wakeUp: RecordedWakeUp): void {
    this.wakeUps.push(wakeUp);
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
