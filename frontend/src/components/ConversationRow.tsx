import { customerLabel, fullTime, shortTime } from '../lib/format';
import type { Conversation } from '../types';
import { ChannelBadge } from './ChannelBadge';
import { StateBadge } from './StateBadge';

interface Props {
  conversation: Conversation;
  selected: boolean;
  onSelect(id: string): void;
}

/** One conversation in a list: customer, channel, time of the latest message, preview, state. */
export function ConversationRow({ conversation, selected, onSelect }: Props) {
  return (
    <li class="row-item">
      <button
        type="button"
        class={selected ? 'row row--selected' : 'row'}
        data-testid="conversation-row"
        data-conversation-id={conversation.id}
        data-state={conversation.state}
        data-channel={conversation.channel}
        aria-current={selected ? 'true' : undefined}
        onClick={() => onSelect(conversation.id)}
      >
        <ChannelBadge channel={conversation.channel} />
        <span class="row__body">
          <span class="row__line">
            <span class="row__name">{customerLabel(conversation)}</span>
            <time
              class="row__time"
              dateTime={conversation.last_message_at}
              title={fullTime(conversation.last_message_at)}
            >
              {shortTime(conversation.last_message_at)}
            </time>
          </span>
          <span class="row__line">
            <span class="row__preview">{conversation.preview}</span>
            <StateBadge state={conversation.state} />
          </span>
        </span>
      </button>
    </li>
  );
}
