import { Injectable } from '@nestjs/common';
import type { AppEvents } from '../events/app-events';
import { OnAppEvent } from '../events/app-event-bus';
import { CatchUpSweep } from './catch-up.sweep';

/** Every (re)subscribe may follow missed notifications; a full engine asks for a sweep when it has room. */
@Injectable()
export class CatchUpListener {
  constructor(private readonly sweep: CatchUpSweep) {}

  @OnAppEvent('feed.subscribed')
  onSubscribed({ channel }: AppEvents['feed.subscribed']): void {
    this.sweep.request(`subscribed:${channel}`);
  }

  @OnAppEvent('catch-up.requested')
  onRequested({ reason }: AppEvents['catch-up.requested']): void {
    this.sweep.request(reason);
  }
}
