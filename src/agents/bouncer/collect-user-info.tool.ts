import { randomUUID } from 'node:crypto';
import { isEmail } from 'class-validator';
import type { NewEvent } from '../agent.types';
import type { AgentEffect } from '../effects/agent-effect.types';
import type { UserWritableField } from '../effects/user-fields.effects';
import { defineTool, type AgentTool } from '../kit/agent-tool';
import type { JsonObjectSchema, Parsed } from '../model/model.types';
import { ToolInputReader } from '../model/tool-input.reader';
import type { BouncerContext } from './bouncer.context';
import { COLLECTABLE_FIELDS, type CollectableField, type CollectedInfo, type Nomination } from './bouncer-model.types';
import type { BouncerRepository } from './bouncer.repository';
import { matchReferrer } from './referrer-match';
import { statedIn } from '../kit/stated-in';

export type UserFieldValues = Partial<Record<UserWritableField, string | string[] | null>>;

/** What the reply may say about what was collected. */
export interface CollectFacts {
  /** Validated values that differ from the user row (already planned as one `update_user_fields` effect). */
  fields: UserFieldValues;
  /** What to acknowledge in the reply. */
  acknowledged: CollectableField[];
  /** The referrer as the user wrote it, when recorded this turn. */
  referrerName: string | null;
  /** `field: reason` for values that failed validation (logged, never written). */
  rejected: string[];
}

interface CollectOutcome extends CollectFacts {
  events: NewEvent[];
  actions: AgentEffect[];
}

const NAME = /^\p{L}+(?:['’. -]\p{L}+)*\.?$/u;
const COMPANY = /^[\p{L}\p{N}][\p{L}\p{N}&.,'’ +!-]*$/u;
const TITLE = /^[\p{L}][\p{L}\p{N}&.,'’ /+()-]*$/u;
const LINKEDIN = /^(?:https?:\/\/)?(?:[a-z]{2,3}\.)?linkedin\.com\/in\/([A-Za-z0-9_%-]{2,100})\/?$/i;
const NOMINATION_BOUNTY_CREDITS = 50;
/** Nominations an unverified user may make. */
export const MAX_UNVERIFIED_NOMINATIONS = 3;

type Check = (value: string) => string | null;

const within =
  (max: number, pattern: RegExp): Check =>
  (value) =>
    value.length <= max && pattern.test(value) && !/https?:|www\./i.test(value) ? value : null;

const CHECKS: Record<'first_name' | 'last_name' | 'company' | 'title' | 'email' | 'linkedin_url', Check> = {
  first_name: within(50, NAME),
  last_name: within(50, NAME),
  company: within(100, COMPANY),
  title: within(100, TITLE),
  email: (value) => (isEmail(value) ? value.toLowerCase() : null),
  linkedin_url: (value) => {
    const slug = LINKEDIN.exec(value)?.[1];
    return slug ? `https://www.linkedin.com/in/${slug}` : null;
  },
};

const USER_COLUMN = {
  first_name: 'firstName',
  last_name: 'lastName',
  company: 'company',
  title: 'title',
  email: 'email',
  linkedin_url: 'linkedinUrl',
} as const;

const text = (description: string) => ({ type: 'string', description });
const NOMINATION_FIELDS = ['name', 'company', 'title', 'linkedin_url'] as const;

export const COLLECT_USER_INFO_SCHEMA: JsonObjectSchema = {
  type: 'object',
  description:
    'Only facts the user stated about themself in their own messages of this turn. Omit anything not stated.',
  properties: {
    first_name: text('The user’s own first name.'),
    last_name: text('The user’s own last name.'),
    company: text('The company the user works at.'),
    title: text('The user’s job title.'),
    email: text('An email address the user typed.'),
    linkedin_url: text('The user’s LinkedIn profile URL.'),
    expertise: { type: 'array', items: { type: 'string' }, description: 'Areas of expertise the user named.' },
    referrer_name: text('The name of the person who told the user about Yachtparty, as the user wrote it.'),
    nomination: {
      type: 'object',
      description: 'Someone the user offers to introduce to the network.',
      properties: {
        name: text('Full name.'),
        company: text('Company.'),
        title: text('Title.'),
        linkedin_url: text('LinkedIn URL.'),
      },
      required: ['name'],
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** Reads `collect_user_info` at `path` with the caller's reader (so refusals are reported together). */
export function readCollectedInfo(reader: ToolInputReader, value: unknown, path: string): CollectedInfo {
  const collect: CollectedInfo = {};
  if (value === undefined || value === null) return collect;
  const info = reader.object(value, path, COLLECTABLE_FIELDS);
  for (const field of [
    'first_name',
    'last_name',
    'company',
    'title',
    'email',
    'linkedin_url',
    'referrer_name',
  ] as const) {
    const read = reader.optionalString(info[field], `${path}.${field}`, 200);
    if (read !== undefined) collect[field] = read;
  }
  const expertise = reader.optionalStrings(info.expertise, `${path}.expertise`);
  if (expertise !== undefined) collect.expertise = expertise;
  if (info.nomination !== undefined && info.nomination !== null) {
    const raw = reader.object(info.nomination, `${path}.nomination`, NOMINATION_FIELDS);
    const name = reader.optionalString(raw.name, `${path}.nomination.name`, 200);
    if (name === undefined) return reader.fail(`${path}.nomination.name`, 'is required');
    const nomination: Nomination = {
      name,
      company: reader.optionalString(raw.company, `${path}.nomination.company`, 200) ?? null,
      title: reader.optionalString(raw.title, `${path}.nomination.title`, 200) ?? null,
      linkedin_url: reader.optionalString(raw.linkedin_url, `${path}.nomination.linkedin_url`, 200) ?? null,
    };
    collect.nomination = nomination;
  }
  return collect;
}

/**
 * The Bouncer's `collect_user_info` tool: validates what the model read, turns it into
 * writes on the user's own row (the id always comes from the context, never from model output),
 * one `user.onboarding_step.completed` event per new value, referrer matching against verified
 * members, and nominations. It names no ids, so the shared authorize rule has nothing to refuse.
 */
export function collectUserInfoTool(
  repository: BouncerRepository,
): AgentTool<BouncerContext, CollectedInfo, CollectFacts> {
  const collector = new UserInfoCollector(repository);
  return defineTool<BouncerContext, CollectedInfo, CollectFacts>({
    name: 'collect_user_info',
    description: 'Record facts the user stated about themself.',
    schema: COLLECT_USER_INFO_SCHEMA,
    parse(raw: unknown): Parsed<CollectedInfo> {
      const reader = new ToolInputReader('collect_user_info');
      return { value: readCollectedInfo(reader, raw, 'collect_user_info'), refused: reader.refused };
    },
    refs: () => [],
    async plan(context, input) {
      const { events, actions, ...facts } = await collector.collect(context, input);
      if (Object.keys(facts.fields).length > 0) {
        actions.unshift({ type: 'update_user_fields', userId: context.user.id, fields: facts.fields });
      }
      return { effects: actions, events, facts };
    },
  });
}

class UserInfoCollector {
  constructor(private readonly repository: BouncerRepository) {}

  async collect(context: BouncerContext, info: CollectedInfo): Promise<CollectOutcome> {
    const { user } = context;
    const outcome: CollectOutcome = {
      fields: {},
      acknowledged: [],
      referrerName: null,
      rejected: [],
      events: [],
      actions: [],
    };
    const step = (name: string, value: unknown): NewEvent => ({
      event_type: 'user.onboarding_step.completed',
      aggregate_id: user.id,
      aggregate_type: 'user',
      payload: { step: name, value },
      created_by: 'bouncer_agent',
    });

    const stated = statedIn(context.trigger.kind === 'message' ? context.trigger.userTexts : []);
    for (const field of ['first_name', 'last_name', 'company', 'title', 'email', 'linkedin_url'] as const) {
      const raw = info[field];
      if (raw === undefined) continue;
      const valid = CHECKS[field](raw.trim());
      if (valid === null) {
        outcome.rejected.push(`${field}: invalid value`);
        continue;
      }
      if (!stated(raw)) {
        outcome.rejected.push(`${field}: not in the user's texts`);
        continue;
      }
      if (user[USER_COLUMN[field]] === valid) continue;
      outcome.fields[field] = valid;
      outcome.acknowledged.push(field);
      outcome.events.push(step(field, valid));
    }

    if (info.expertise !== undefined) {
      const valid = info.expertise.map((e) => e.trim()).filter((e) => e !== '' && within(60, COMPANY)(e) !== null);
      // Like every other field, expertise must be the user's own words.
      const expertise = valid.filter((e) => stated(e));
      if (expertise.length < valid.length) outcome.rejected.push("expertise: not in the user's texts");
      if (expertise.length > 0) {
        outcome.fields.expertise = expertise;
        outcome.acknowledged.push('expertise');
        outcome.events.push(step('expertise', expertise));
      }
    }

    if (info.referrer_name !== undefined && !stated(info.referrer_name)) {
      outcome.rejected.push("referrer_name: not in the user's texts");
    } else if (info.referrer_name !== undefined && !context.progressBefore.referrerKnown) {
      await this.recordReferrer(context, info.referrer_name.trim(), outcome, step);
    }
    if (info.nomination !== undefined && !stated(info.nomination.name)) {
      outcome.rejected.push("nomination: not in the user's texts");
    } else if (info.nomination !== undefined) this.recordNomination(context, info.nomination, outcome);
    return outcome;
  }

  private async recordReferrer(
    context: BouncerContext,
    name: string,
    outcome: CollectOutcome,
    step: (name: string, value: unknown) => NewEvent,
  ): Promise<void> {
    if (name.length > 80 || name.split(/\s+/).length > 4 || !NAME.test(name)) {
      outcome.rejected.push('referrer_name: invalid value');
      return;
    }
    const [first, ...rest] = name.split(/\s+/);
    const members = await this.repository.findVerifiedMembersByName(
      first,
      rest.length > 0 ? rest.join(' ') : null,
      context.user.id,
    );
    const match = matchReferrer(name, members);
    if (match) outcome.fields.referred_by = match.memberId;
    else outcome.fields.name_dropped = name;
    outcome.referrerName = name;
    outcome.acknowledged.push('referrer_name');
    outcome.events.push(step('referrer', name));
  }

  private recordNomination(context: BouncerContext, nomination: Nomination, outcome: CollectOutcome): void {
    const parts = nomination.name.trim().split(/\s+/);
    if (parts.length < 2 || parts.some((part) => !NAME.test(part))) {
      outcome.rejected.push('nomination: a first and last name are required');
      return;
    }
    const firstName = parts[0];
    const lastName = parts.slice(1).join(' ');
    const fullName = `${firstName} ${lastName}`.toLowerCase();
    const ownFirst = (outcome.fields.first_name as string | undefined) ?? context.user.firstName;
    const ownLast = (outcome.fields.last_name as string | undefined) ?? context.user.lastName;
    if (ownFirst && ownLast && `${ownFirst} ${ownLast}`.toLowerCase() === fullName) {
      outcome.rejected.push('nomination: a user cannot nominate themself');
      return;
    }
    if (context.nominations.includes(fullName)) {
      outcome.rejected.push('nomination: already nominated by this user');
      return;
    }
    if (!context.user.verified && context.nominations.length >= MAX_UNVERIFIED_NOMINATIONS) {
      outcome.rejected.push(`nomination: at most ${MAX_UNVERIFIED_NOMINATIONS} before the user is verified`);
      return;
    }
    // No bounty-bearing opportunity until the nominator is verified.
    const bountyCredits = context.user.verified ? NOMINATION_BOUNTY_CREDITS : 0;
    const company = nomination.company ? CHECKS.company(nomination.company) : null;
    const title = nomination.title ? CHECKS.title(nomination.title) : null;
    const linkedinUrl = nomination.linkedin_url ? CHECKS.linkedin_url(nomination.linkedin_url) : null;
    const researchProspectId = randomUUID();
    const introOpportunityId = randomUUID();
    outcome.actions.push({
      type: 'create_nomination',
      userId: context.user.id,
      researchProspectId,
      introOpportunityId,
      firstName,
      lastName,
      company,
      title,
      linkedinUrl,
      bountyCredits,
    });
    outcome.acknowledged.push('nomination');
    outcome.events.push({
      event_type: 'intro.opportunity_created',
      aggregate_id: introOpportunityId,
      aggregate_type: 'intro_opportunity',
      payload: {
        introOpportunityId,
        connectorUserId: context.user.id,
        researchProspectId,
        prospectName: `${firstName} ${lastName}`,
        prospectCompany: company,
        prospectTitle: title,
        bountyCredits,
      },
      created_by: 'bouncer_agent',
    });
  }
}
