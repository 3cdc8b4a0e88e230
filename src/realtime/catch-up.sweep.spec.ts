import type { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import type { AppEventBus } from '../events/app-event-bus';
import type { AppEventName, AppEvents } from '../events/app-events';
import type { CatchUpRepository, DueEvent, DueMessage, PageCursor } from './catch-up.repository';
import type { BacklogMonitor } from './backlog.monitor';
import { CatchUpSweep, PAGES_PER_SWEEP } from './catch-up.sweep';

const PAGE = 5;

/** Serves due rows from memory with the repository's contract: oldest first, after the cursor, at most `limit`. */
class FakeRepository {
  readonly calls: Array<{ table: 'messages' | 'events'; after?: PageCursor }> = [];
  constructor(
    private readonly messages: DueMessage[],
    private readonly events: DueEvent[],
  ) {}

  dueMessages(limit: number, after?: PageCursor): Promise<DueMessage[]> {
    this.calls.push({ table: 'messages', after });
    return Promise.resolve(page(this.messages, limit, after));
  }

  dueEvents(limit: number, after?: PageCursor): Promise<DueEvent[]> {
    this.calls.push({ table: 'events', after });
    return Promise.resolve(page(this.events, limit, after));
  }
}

function page<T extends { id: string; created_at: string }>(rows: T[], limit: number, after?: PageCursor): T[] {
  return rows.filter((row) => !after || row.created_at > after.createdAt).slice(0, limit);
}

const at = (i: number) => `2025-01-01 00:00:${String(i).padStart(2, '0')}.000001+00`;
const messages = (n: number): DueMessage[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${i}`, user_id: `u${i}`, created_at: at(i), due_for_ms: i }));
const events = (n: number): DueEvent[] =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i}`, event_type: 't', created_at: at(i) }));

async function sweepOnce(repository: FakeRepository): Promise<Array<[AppEventName, unknown]>> {
  const emitted: Array<[AppEventName, unknown]> = [];
  const bus = {
    emit: <N extends AppEventName>(name: N, payload: AppEvents[N]) => emitted.push([name, payload]),
  } as unknown as AppEventBus;
  const config = {
    get: (key: keyof Environment) => ({ SWEEP_PAGE_SIZE: PAGE, SWEEP_INTERVAL_MS: 60_000 })[key as string],
  } as unknown as ConfigService<Environment, true>;
  const backlog = { refresh: () => Promise.resolve() } as unknown as BacklogMonitor;
  const sweep = new CatchUpSweep(repository as unknown as CatchUpRepository, bus, config, backlog);
  sweep.request('test');
  await sweep.idle();
  return emitted;
}

describe('CatchUpSweep', () => {
  it('reads page after page, oldest first, from where the last one ended, until a page is not full', async () => {
    const repository = new FakeRepository(messages(12), events(3));
    const emitted = await sweepOnce(repository);
    expect(emitted.filter(([name]) => name === 'inbound-message.noticed').map(([, p]) => p)).toEqual(
      messages(12).map((m) => ({ messageId: m.id, userId: m.user_id, source: 'sweep', dueForMs: m.due_for_ms })),
    );
    expect(emitted.filter(([name]) => name === 'agent-event.noticed')).toHaveLength(3);
    expect(repository.calls.filter((c) => c.table === 'messages').map((c) => c.after?.id)).toEqual([
      undefined,
      'm4',
      'm9',
    ]);
    // The events page was not full: events are not read again.
    expect(repository.calls.filter((c) => c.table === 'events')).toHaveLength(1);
  });

  it(`stops after ${PAGES_PER_SWEEP} pages however deep the backlog is`, async () => {
    const repository = new FakeRepository(messages(PAGE * PAGES_PER_SWEEP + 7), []);
    const emitted = await sweepOnce(repository);
    expect(emitted).toHaveLength(PAGE * PAGES_PER_SWEEP);
    expect(repository.calls.filter((c) => c.table === 'messages')).toHaveLength(PAGES_PER_SWEEP);
  });
});
