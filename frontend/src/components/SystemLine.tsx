import { fullTime, shortTime } from '../lib/format';
import { storyParts } from '../lib/story';
import type { Message } from '../types';
import { Worded } from './Worded';

/** A line of the conversation's story in the thread: who did what, and when. */
export function SystemLine({ message }: { message: Message }) {
  const parts = message.event ? storyParts(message.event) : [];
  return (
    <li
      class="system-line"
      data-testid="system-line"
      data-message-id={message.id}
      data-direction="system"
      data-kind={message.event?.kind}
    >
      <span class="system-line__text">{parts.length > 0 ? <Worded parts={parts} /> : message.text}</span>
      <time class="system-line__time" dateTime={message.sent_at} title={fullTime(message.sent_at)}>
        {shortTime(message.sent_at)}
      </time>
    </li>
  );
}
