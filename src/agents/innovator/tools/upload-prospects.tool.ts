import { randomUUID } from 'node:crypto';
import { defineTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { InnovatorContext } from '../innovator.context';
import { newUploadToken, UPLOAD_LINK_TTL_MS, uploadUrl } from '../innovator-links';

export interface UploadLinkFacts {
  url: string;
  expiresAt: Date;
}

/**
 * `upload_prospects`: a tokenised upload link that expires. Only the token's hash is
 * stored; the event and the logs carry the link's id, never the token.
 */
export const UPLOAD_PROSPECTS_TOOL = defineTool<InnovatorContext, Record<string, never>, UploadLinkFacts>({
  name: 'upload_prospects',
  description: 'The innovator wants to share a list of target prospects: create their private upload link.',
  schema: { type: 'object', properties: {}, additionalProperties: false },
  parse(raw, properties) {
    const reader = new ToolInputReader('upload_prospects');
    reader.object(raw ?? {}, '', properties);
    return { value: {}, refused: reader.refused };
  },
  refs: () => [],
  plan(context) {
    const { token, sha256 } = newUploadToken();
    const linkId = randomUUID();
    const expiresAt = new Date(context.now.getTime() + UPLOAD_LINK_TTL_MS);
    return {
      effects: [
        { type: 'create_prospect_upload_link', userId: context.user.id, linkId, tokenSha256: sha256, expiresAt },
      ],
      events: [
        {
          event_type: 'prospects.upload_link_created',
          aggregate_id: context.user.id,
          aggregate_type: 'user',
          payload: { userId: context.user.id, uploadLinkId: linkId, expiresAt: expiresAt.toISOString() },
          created_by: 'innovator_agent',
        },
      ],
      facts: { url: uploadUrl(token), expiresAt },
    };
  },
});
