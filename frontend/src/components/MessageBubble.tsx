import { fullTime, shortTime } from '../lib/format';
import type { Message } from '../types';

/** One message. Its text is the customer's (untrusted): it is only ever rendered as text. */
export function MessageBubble({ message }: { message: Message }) {
  const outbound = message.direction === 'outbound';
  const hasText = message.text !== null && message.text !== '';
  return (
    <li
      class={`message message--${message.direction}`}
      data-testid="message"
      data-message-id={message.id}
      data-direction={message.direction}
      data-status={message.status}
    >
      <div class={message.status === 'failed' ? 'bubble bubble--failed' : 'bubble'}>
        {message.kind !== 'text' && <span class="bubble__kind">[{message.kind}]</span>}
        {hasText && <p class="bubble__text">{message.text}</p>}
      </div>
      <div class="message__meta">
        <time dateTime={message.sent_at} title={fullTime(message.sent_at)}>
          {shortTime(message.sent_at)}
        </time>
        {outbound && (
          <span class={`status status--${message.status}`} data-testid="message-status">
            {message.status}
          </span>
        )}
      </div>
      {message.status === 'failed' && (
        <p class="message__error" data-testid="message-error">
          {message.error?.message || 'The message could not be delivered.'}
        </p>
      )}
    </li>
  );
}
