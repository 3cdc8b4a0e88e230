import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hostname } from 'node:os';
import type { Environment } from '../config/environment';

/** Budget defaults of a user's day (user_message_budget's own column defaults agree). */
export const DEFAULT_DAILY_LIMIT = 5;
export const DEFAULT_HOURLY_LIMIT = 2;
/** A user who texted this recently is in a conversation: quiet hours and the hourly cap give way. */
export const ACTIVE_USER_WINDOW_MS = 10 * 60 * 1000;
/** Unexpected errors a queued text may meet before it is marked failed. */
export const MAX_DISPATCH_ATTEMPTS = 5;

/** The dispatcher's settings, read once from the validated configuration. */
@Injectable()
export class MessagingSettings {
  readonly intervalMs: number;
  readonly usersPerPass: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly owner: string;

  constructor(config: ConfigService<Environment, true>) {
    this.intervalMs = config.get('MESSAGE_DISPATCH_INTERVAL_MS', { infer: true });
    this.usersPerPass = config.get('MESSAGE_DISPATCH_BATCH', { infer: true });
    this.reconnectMinMs = config.get('FEED_RECONNECT_MIN_MS', { infer: true });
    this.reconnectMaxMs = config.get('FEED_RECONNECT_MAX_MS', { infer: true });
    this.owner = config.get('INSTANCE_ID', { infer: true }) ?? `${hostname()}:${process.pid}`;
  }
}
