import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { AppEventName, AppEvents } from './app-events';

/** Typed facade over EventEmitter2: the only place that calls `emit`. */
@Injectable()
export class AppEventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<N extends AppEventName>(name: N, payload: AppEvents[N]): void {
    this.emitter.emit(name, payload);
  }
}

/**
 * @OnEvent restricted to catalogued names. Listeners catch and log their own errors;
 * the emitter's default error suppression is the last line of defence.
 */
export const OnAppEvent = (name: AppEventName): MethodDecorator => OnEvent(name);
