import { fullTime, shortTime } from '../lib/format';
import { storyText } from '../lib/story';
import type { Message } from '../types';

/** A line of the conversation's story in the thread: who did what, and when. */
export function SystemLine({ message }: { message: Message }) {
  const text = message.event ? storyText(message.event) || message.text : message.text;
  return (
    <li
      class="system-line"
      data-testid="system-line"
      data-message-id={message.id}
      data-direction="system"
      data-kind={message.event?.kind}
    >
      <span class="system-line__text">{text}</span>
      <time class="system-line__time" dateTime={message.sent_at} title={fullTime(message.sent_at)}>
        {shortTime(message.sent_at)}
      </time>
    </li>
  );
}
