import type { CustomerView } from '../lib/customers';
import { channelInfo, customerLabel, fullTime, stateLabel } from '../lib/format';
import { t } from '../lib/i18n';
import { formatHash } from '../lib/route';
import { USER_CONTENT } from '../lib/userContent';
import type { Conversation, Me } from '../types';
import { ChannelBadge } from './ChannelBadge';
import { CustomerDetails } from './CustomerDetails';
import { NotesSection } from './NotesSection';

export const CUSTOMER_PANEL_ID = 'customer-panel';

interface Props {
  conversation: Conversation;
  me: Me;
  /** The display name of the agent who has it, when known. */
  ownerName: string | null;
  canWork: boolean;
  /** The customer's profile (null while it is read, or when it cannot be). */
  customer: CustomerView | null;
  onCustomerChanged(view: CustomerView): void;
}

/** The customer and this conversation (Alt+I). Every value is rendered as text. */
export function CustomerPanel({ conversation, me, ownerName, canWork, customer, onCustomerChanged }: Props) {
  const owner =
    conversation.owner_id === null
      ? t('panel.nobody_yet')
      : conversation.owner_id === me.user.id
        ? t('panel.you')
        : ownerName
          ? <span {...USER_CONTENT}>{ownerName}</span>
          : t('panel.another_agent');
  const tags = conversation.tags ?? [];
  return (
    <aside class="info" id={CUSTOMER_PANEL_ID} aria-label={t('panel.label')} data-testid="customer-panel">
      {customer ? (
        <>
          <p class="customer__open">
            <a href={formatHash({ page: 'customers', customerId: customer.profile.id })} data-testid="open-customer-page">
              {t('customer.open_page')}
            </a>
          </p>
          <CustomerDetails view={customer} onChanged={onCustomerChanged} currentConversationId={conversation.id} />
        </>
      ) : (
        <>
          <h3 class="info__title">{t('customer.profile')}</h3>
          <dl class="info__list">
            <dt>{t('customer.name')}</dt>
            <dd data-testid="customer-name">
              {conversation.customer_name ? <span {...USER_CONTENT}>{conversation.customer_name}</span> : <span class="muted">{t('customer.no_name')}</span>}
            </dd>
            <dt>{channelInfo(conversation.channel).label}</dt>
            <dd class="info__code">{conversation.customer_id}</dd>
          </dl>
        </>
      )}
      <h3 class="info__title">{t('conversation.label')}</h3>
      <dl class="info__list">
        <dt>{t('service.channel')}</dt>
        <dd>
          <ChannelBadge channel={conversation.channel} showLabel />
        </dd>
        <dt>ID</dt>
        <dd class="info__code">{conversation.id}</dd>
        <dt>{t('panel.state')}</dt>
        <dd>{stateLabel(conversation.state)}</dd>
        <dt>{t('panel.assigned_to')}</dt>
        <dd>{owner}</dd>
        <dt>{t('panel.started')}</dt>
        <dd>{fullTime(conversation.created_at)}</dd>
        <dt>{t('panel.last_message')}</dt>
        <dd>{fullTime(conversation.last_message_at)}</dd>
        <dt>{t('panel.customer_last')}</dt>
        <dd>{fullTime(conversation.last_customer_message_at) || '—'}</dd>
        <dt>{t('tags.label')}</dt>
        <dd data-testid="conversation-tags" {...USER_CONTENT}>
          {tags.length ? tags.join(', ') : '—'}
        </dd>
      </dl>
      <NotesSection key={conversation.id} conversationId={conversation.id} canWrite={canWork} />
    </aside>
  );
}

/** The text Alt+C copies: who the customer is and which conversation this is. */
export function conversationSummary(conversation: Conversation): string {
  return [
    t('customer.summary_customer', { customer: customerLabel(conversation) }),
    `${channelInfo(conversation.channel).label}: ${conversation.customer_id}`,
    t('customer.summary_conversation', { id: conversation.id }),
  ].join('\n');
}
