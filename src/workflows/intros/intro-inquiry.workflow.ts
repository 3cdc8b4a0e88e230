import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { PermanentEventError, type EventHandler, type StoredEvent } from '../../routing/event-handler';
import { MemberRepository, voiceOf } from '../member.repository';
import { loadIntro } from '../tasks/intro-followup.task';
import { scheduleTask } from '../tasks/task.writer';
import { handlerFor, once, written } from '../workflow-effects';
import { missing, parsePayload } from '../workflow-payload';
import { IntroInquiryDto } from './intro.dto';

/**
 * `user.intro_inquiry` → a high-priority `intro_followup_check` task, due at once (the task answers
 * with the intro's state). The event only checks and schedules; the task does the work.
 */
@Injectable()
export class IntroInquiryWorkflows {
  constructor(
    private readonly database: DatabaseService,
    private readonly members: MemberRepository,
  ) {}

  handlers(): EventHandler[] {
    return [handlerFor('user.intro_inquiry', (event) => this.inquiry(event))];
  }

  private async inquiry(event: StoredEvent) {
    const payload = parsePayload(IntroInquiryDto, event);
    const member = await this.members.find(payload.userId);
    if (!member) throw missing('user', payload.userId);
    const intro = await loadIntro(this.database.pool, payload.introType, payload.introId);
    if (!intro) throw missing(payload.introType, payload.introId);
    if (!intro.parties.includes(payload.userId)) {
      throw new PermanentEventError(`user ${payload.userId} is not a party to ${payload.introType} ${payload.introId}`);
    }
    return written(async (client) => {
      if (!(await once(client, `user.intro_inquiry:${event.id}`, event.id))) return;
      await scheduleTask(client, {
        taskType: 'intro_followup_check',
        agentType: voiceOf(member),
        userId: payload.userId,
        contextId: payload.introId,
        contextType: payload.introType,
        priority: 'high',
        context: { introType: payload.introType, introId: payload.introId, sourceEventId: event.id },
      });
    });
  }
}
