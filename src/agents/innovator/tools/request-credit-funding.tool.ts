import { defineTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { InnovatorContext } from '../innovator.context';
import { PAYMENT_LINK_PLACEHOLDER } from '../innovator-links';

export interface CreditFundingFacts {
  /** A placeholder: there is no payment provider yet, and the reply says so. */
  placeholderLink: string;
  amount: number | null;
  availableCredits: number;
}

const MAX_FUNDING_CREDITS = 100_000;

/**
 * `request_credit_funding`: a payment link placeholder, clearly marked as such. It
 * plans no write at all: credits move only through the ledger, never because someone says they paid.
 */
export const REQUEST_CREDIT_FUNDING_TOOL = defineTool<InnovatorContext, { amount: number | null }, CreditFundingFacts>({
  name: 'request_credit_funding',
  description: 'The innovator wants to add credits: give them the (placeholder) payment link. It never adds credits.',
  schema: {
    type: 'object',
    properties: { amount: { type: 'integer', minimum: 1, description: 'Credits they want to add, if stated.' } },
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('request_credit_funding');
    const top = reader.object(raw ?? {}, '', properties);
    const amount = reader.optionalInteger(top.amount, 'amount', 1, MAX_FUNDING_CREDITS) ?? null;
    return { value: { amount }, refused: reader.refused };
  },
  refs: () => [],
  plan(context, input) {
    return {
      effects: [],
      events: [],
      facts: {
        placeholderLink: PAYMENT_LINK_PLACEHOLDER,
        amount: input.amount,
        availableCredits: context.availableCredits,
      },
    };
  },
});
