import { Injectable } from '@nestjs/common';

/**
 * The time the message rules read: due rows, budgets, quiet hours, the 10-minute override. One
 * injectable so tests replace it with a clock they move by hand and never sleep.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
