import { Injectable } from '@nestjs/common';
import type { AgentOutcome } from '../agent.types';
import type { AgentTurn, ToolResult } from '../kit/agent-turn';
import { AgentTurns } from '../kit/agent-turns';
import { chatTurns } from '../model/chat-turns';
import type { InnovatorContext } from './innovator.context';
import { innovatorDecisionTool } from './innovator-decision.tool';
import { decideInnovatorLocally, scenarioFor } from './innovator.local-decider';
import type { InnovatorRenderFacts, InnovatorScenario } from './innovator-model.types';
import { missingProfileFields } from './innovator-profile';
import { INNOVATOR_DECISION_SYSTEM, innovatorDecisionState } from './innovator.prompts';
import { CHECK_AFTER_ANSWER_DAYS, daysAfter, innovatorCheck } from './innovator-reengagement-task';
import { baseFacts, innovatorReply } from './innovator-reply';
import { PAYMENT_LINK_PLACEHOLDER } from './innovator-links';
import { INNOVATOR_TOOLS, isOwnTool, type AnyInnovatorTool } from './innovator-tools';
import type { ToolOutcome } from '../concierge/concierge-model.types';
import type { IntroProgressFacts } from './tools/check-intro-progress.tool';
import { BOUNTY_ABOVE_BALANCE, type RequestConnectionFacts } from './tools/request-connection.tool';
import type { CreditFundingFacts } from './tools/request-credit-funding.tool';
import { WARM_BOUNTY_ABOVE_BALANCE, type ProfileUpdateFacts } from './tools/update-innovator-profile.tool';
import type { UploadLinkFacts } from './tools/upload-prospects.tool';

const DECIDE_MAX_TOKENS = 1000;
const DECISION_TOOL = innovatorDecisionTool([...INNOVATOR_TOOLS.values()]);
/** Scenarios that only make sense when their tool ran. */
const NEEDS_TOOL: Partial<Record<InnovatorScenario, string>> = {
  connection_request_acknowledgment: 'request_connection',
  profile_update_acknowledgment: 'update_innovator_profile',
  prospect_upload_guidance: 'upload_prospects',
};

/**
 * The Innovator's answer to the user's texts: decide (scenario and tools), run each tool through
 * the kit (parse → authorize → plan; refusals audited), let what actually ran fix the scenario,
 * and reply in the Innovator's voice.
 */
@Injectable()
export class InnovatorAnswerFlow {
  constructor(private readonly turns: AgentTurns) {}

  async run(context: InnovatorContext, signal: AbortSignal): Promise<AgentOutcome> {
    const turn = this.turns.start('innovator', context, signal);
    const userTexts = context.trigger.kind === 'message' ? context.trigger.userTexts : [];
    const emailAck = context.trigger.kind === 'message' && context.trigger.emailVerifiedAck;

    const decision = await turn.decide({
      purpose: 'innovator.decide',
      prompt: {
        staticSystem: INNOVATOR_DECISION_SYSTEM,
        dynamicSystem: innovatorDecisionState(context),
        turns: chatTurns(context.history, emailAck && userTexts.length === 0 ? '(My email was verified.)' : undefined),
        maxTokens: DECIDE_MAX_TOKENS,
      },
      tool: DECISION_TOOL,
      local: () => decideInnovatorLocally(context, userTexts),
    });

    const facts = baseFacts(context, decision.scenario);
    facts.questions = decision.questions;
    facts.guidance = decision.guidance;
    facts.clarifyingQuestion = decision.clarifyingQuestion ?? null;
    const ran: string[] = [];
    let bountyRefused = false;
    // An ambiguous answer gets a clarifying question and runs no tool (the intent rule, in code).
    const calls = decision.scenario === 'clarify' ? [] : decision.tools;
    if (decision.scenario === 'clarify' && decision.tools.length > 0) {
      turn.log.add('tool_calls_skipped', {
        output_data: { reason: 'clarify', tools: decision.tools.map((t) => t.name) },
      });
    }
    for (const call of calls) {
      const tool = INNOVATOR_TOOLS.get(call.name);
      const result: ToolResult<unknown> = tool
        ? await useTool(turn, tool, call.input)
        : turn.refuse(call.name.slice(0, 60), 'unknown tool');
      if (!result.ok) {
        if (result.reason === OFFER_BOUNTY_ABOVE_BALANCE) facts.refusedOfferBounty = context.ownWarmIntroBounty;
        if (
          result.reason === BOUNTY_ABOVE_BALANCE ||
          result.reason === WARM_BOUNTY_ABOVE_BALANCE ||
          result.reason === OFFER_BOUNTY_ABOVE_BALANCE
        ) {
          bountyRefused = true;
        }
        continue;
      }
      ran.push(call.name);
      applyFacts(facts, call.name, result.facts, context.now);
    }

    const scenario = chooseScenario(decision.scenario, ran, bountyRefused);
    if (scenario !== decision.scenario) {
      turn.log.add('scenario_corrected', { output_data: { proposed: decision.scenario, chosen: scenario } });
    }
    facts.scenario = scenario;
    if (scenario === 'profile_update_prompt') facts.profileMissing = missingProfileFields(context.profile);
    if (scenario === 'credit_funding_offer' && facts.funding === null) {
      applyFacts(facts, 'request_credit_funding', null, context.now);
    }

    // The innovator wrote: their unanswered nudges reset, and the next check is a fresh one.
    turn.effects.push(
      innovatorCheck(context, daysAfter(context.now, CHECK_AFTER_ANSWER_DAYS), 'innovator_re_engagement', 1),
    );
    // The decision's own texts fit only when no tool shaped the answer and the scenario stood.
    const drafted =
      ran.length === 0 && calls.length === 0 && scenario === decision.scenario ? decision.replyTexts : null;
    const replies = await innovatorReply(turn, facts, null, drafted);
    turn.log.add('innovator_turn', { output_data: { scenario, tools: ran, replies: replies.length } });
    return turn.outcome(replies);
  }
}

/**
 * Accepting an intro offered to the innovator holds their warm intro bounty (the Concierge's
 * `accept_intro_offer`, imported as it is): refused, and audited, when the credits do not cover it.
 */
export const OFFER_BOUNTY_ABOVE_BALANCE = 'warm intro bounty of the offer above the available credits';

async function useTool(
  turn: AgentTurn<InnovatorContext>,
  tool: AnyInnovatorTool,
  raw: unknown,
): Promise<ToolResult<unknown>> {
  if (tool.name !== 'accept_intro_offer') return turn.use(tool, raw);
  const parsed = turn.parse(tool, raw);
  if (!parsed.ok) return parsed;
  const bounty = turn.context.ownWarmIntroBounty ?? 0;
  if (bounty > turn.context.availableCredits) return turn.refuse(tool.name, OFFER_BOUNTY_ABOVE_BALANCE);
  return turn.usePlanned(tool, parsed.input);
}

function chooseScenario(
  proposed: InnovatorScenario,
  ran: readonly string[],
  bountyRefused: boolean,
): InnovatorScenario {
  if (bountyRefused && !ran.includes('request_connection')) return 'bounty_above_balance';
  // A member tool that was refused did nothing to acknowledge.
  if (proposed === 'member_tool_acknowledgment' && ran.every((name) => isOwnTool(name))) {
    return ran.length > 0 ? scenarioFor(ran[0]) : 'clarify';
  }
  const needed = NEEDS_TOOL[proposed];
  if (needed !== undefined && !ran.includes(needed)) return ran.length > 0 ? scenarioFor(ran[0]) : 'clarify';
  if (ran.length > 0 && (proposed === 'general_response' || proposed === 'no_message' || proposed === 'clarify')) {
    return scenarioFor(ran[0]);
  }
  return proposed;
}

function applyFacts(facts: InnovatorRenderFacts, toolName: string, result: unknown, now: Date): void {
  if (!isOwnTool(toolName)) {
    facts.outcomes.push(result as ToolOutcome);
    return;
  }
  switch (toolName) {
    case 'check_intro_progress': {
      const progress = result as IntroProgressFacts;
      facts.intros = progress.intros.map(({ kind, status, personName, company }) => ({
        kind,
        status,
        personName,
        company,
      }));
      facts.prospectsTotal = progress.prospectsTotal;
      return;
    }
    case 'update_innovator_profile':
      facts.profileUpdated = (result as ProfileUpdateFacts).updated;
      return;
    case 'upload_prospects': {
      const upload = result as UploadLinkFacts;
      facts.upload = {
        url: upload.url,
        expiresInHours: Math.round((upload.expiresAt.getTime() - now.getTime()) / 3_600_000),
      };
      return;
    }
    case 'request_credit_funding': {
      const funding = result as CreditFundingFacts | null;
      facts.funding = {
        placeholderLink: funding?.placeholderLink ?? PAYMENT_LINK_PLACEHOLDER,
        amount: funding?.amount ?? null,
      };
      return;
    }
    case 'request_connection': {
      const connection = result as RequestConnectionFacts;
      facts.connection = { firstName: connection.introduceeFirstName, bountyCredits: connection.bountyCredits };
      return;
    }
  }
}
