import { channelInfo, customerLabel, fullTime, stateLabel } from '../lib/format';
import type { Conversation, Me } from '../types';
import { ChannelBadge } from './ChannelBadge';
import { NotesSection } from './NotesSection';

export const CUSTOMER_PANEL_ID = 'customer-panel';

interface Props {
  conversation: Conversation;
  me: Me;
  /** The display name of the agent who has it, when known. */
  ownerName: string | null;
  canWork: boolean;
}

/** The customer and this conversation (Alt+I). Every value is rendered as text. */
export function CustomerPanel({ conversation, me, ownerName, canWork }: Props) {
  const owner =
    conversation.owner_id === null
      ? 'Nobody yet'
      : conversation.owner_id === me.user.id
        ? 'You'
        : (ownerName ?? 'Another agent');
  const tags = conversation.tags ?? [];
  return (
    <aside class="info" id={CUSTOMER_PANEL_ID} aria-label="Customer information" data-testid="customer-panel">
      <h3 class="info__title">Customer</h3>
      <dl class="info__list">
        <dt>Name</dt>
        <dd data-testid="customer-name">{conversation.customer_name || <span class="muted">Not given</span>}</dd>
        <dt>{channelInfo(conversation.channel).label} address</dt>
        <dd class="info__code">{conversation.customer_id}</dd>
        <dt>Channel</dt>
        <dd>
          <ChannelBadge channel={conversation.channel} showLabel />
        </dd>
        <dt>Channel account</dt>
        <dd class="info__code">{conversation.account_id}</dd>
      </dl>
      <h3 class="info__title">Conversation</h3>
      <dl class="info__list">
        <dt>ID</dt>
        <dd class="info__code">{conversation.id}</dd>
        <dt>State</dt>
        <dd>{stateLabel(conversation.state)}</dd>
        <dt>Assigned to</dt>
        <dd>{owner}</dd>
        <dt>Started</dt>
        <dd>{fullTime(conversation.created_at)}</dd>
        <dt>Last message</dt>
        <dd>{fullTime(conversation.last_message_at)}</dd>
        <dt>Customer's last message</dt>
        <dd>{fullTime(conversation.last_customer_message_at) || '—'}</dd>
        <dt>Tags</dt>
        <dd data-testid="conversation-tags">{tags.length ? tags.join(', ') : '—'}</dd>
      </dl>
      <NotesSection key={conversation.id} conversationId={conversation.id} canWrite={canWork} />
    </aside>
  );
}

/** The text Alt+C copies: who the customer is and which conversation this is. */
export function conversationSummary(conversation: Conversation): string {
  return [
    `Customer: ${customerLabel(conversation)}`,
    `${channelInfo(conversation.channel).label}: ${conversation.customer_id}`,
    `Conversation: ${conversation.id}`,
  ].join('\n');
}
