import { customerLabel, fullTime, shortTime } from '../lib/format';
import { t, tParts } from '../lib/i18n';
import { customerWaits, elapsed, waitingForCustomer, waitsLong } from '../lib/waiting';
import { USER_CONTENT } from '../lib/userContent';
import type { Conversation } from '../types';
import { ChannelBadge } from './ChannelBadge';
import { StateBadge } from './StateBadge';
import { Worded } from './Worded';

interface Props {
  conversation: Conversation;
  selected: boolean;
  onSelect(id: string): void;
  /** The owner's display name (absent while the team's names are read, or for nobody). */
  ownerName?: string | undefined;
  /** Now, as the list last ticked (the waiting time moves on with it). */
  now: number;
  /** The customer's name reads as a colleague's: shown with a marker and the address. */
  impersonates?: boolean;
}

/**
 * One conversation in a list: an unread dot, customer, channel, time of the latest message,
 * preview, state ("Waiting for customer" once an agent answered), the owner and how long the
 * customer has waited for an answer.
 */
export function ConversationRow({ conversation, selected, onSelect, ownerName, now, impersonates = false }: Props) {
  const waits = customerWaits(conversation);
  const awaiting = waitingForCustomer(conversation);
  const owner = conversation.owner_id ? (ownerName ?? '…') : null;
  const waited = waits ? elapsed(conversation.waiting_since, now) : '';
  return (
    <li class="row-item">
      <button
        type="button"
        class={`row${selected ? ' row--selected' : ''}${conversation.unread ? ' row--unread' : ''}`}
        data-testid="conversation-row"
        data-conversation-id={conversation.id}
        data-state={conversation.state}
        data-channel={conversation.channel}
        data-unread={conversation.unread ? 'true' : 'false'}
        data-waiting={waits ? 'agent' : awaiting ? 'customer' : 'none'}
        aria-current={selected ? 'true' : undefined}
        onClick={() => onSelect(conversation.id)}
      >
        <ChannelBadge channel={conversation.channel} />
        <span class="row__body">
          <span class="row__line">
            <span class="row__name">
              {conversation.unread && (
                <span class="unread-dot" data-testid="unread-dot" role="img" aria-label={t('queue.unread')} />
              )}
              <span {...USER_CONTENT}>{customerLabel(conversation)}</span>
              {impersonates && <NotStaff address={conversation.customer_id} />}
            </span>
            <time
              class="row__time"
              dateTime={conversation.last_message_at}
              title={fullTime(conversation.last_message_at)}
            >
              {shortTime(conversation.last_message_at)}
            </time>
          </span>
          <span class="row__line">
            <span class="row__preview" {...USER_CONTENT}>
              {conversation.preview}
            </span>
            {awaiting ? (
              <span
                class="state state--awaiting"
                data-testid="awaiting-customer"
                title={t('queue.waiting_for_customer_hint', { time: fullTime(conversation.awaiting_customer_since) })}
              >
                {t('queue.waiting_for_customer')}
              </span>
            ) : (
              <StateBadge state={conversation.state} />
            )}
          </span>
          {(owner !== null || waits) && (
            <span class="row__line row__meta">
              <span class="row__owner" data-testid="row-owner">
                {owner !== null && <Worded parts={tParts('queue.owner', { name: owner })} />}
              </span>
              {waits && (
                <span
                  class={waitsLong(conversation, now) ? 'row__waiting row__waiting--long' : 'row__waiting'}
                  data-testid="row-waiting"
                  title={t('queue.waiting_hint', { time: waited })}
                >
                  {t('queue.waiting', { time: waited })}
                </span>
              )}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}

/** Beside a customer's name that reads as a colleague's: says it is not, with the customer's address. */
export function NotStaff({ address }: { address: string }) {
  return (
    <span class="name-marker" data-testid="name-marker" title={t('customer.not_staff_hint')}>
      <Worded parts={tParts('customer.not_staff', { address })} />
    </span>
  );
}
