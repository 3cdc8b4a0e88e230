import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ChangeFeed } from './change-feed';

/** Connects the chosen feed once the app is up, and stops intake first on shutdown. */
@Injectable()
export class ChangeFeedLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly feed: ChangeFeed) {}

  onApplicationBootstrap(): Promise<void> {
    return this.feed.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.feed.stop();
  }
}
