import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Message } from '../types';
import { MessageBubble } from './MessageBubble';

/** The messages, oldest first; stays scrolled to the newest unless the agent scrolled up. */
export function MessageThread({ messages }: { messages: Message[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const lastId = messages[messages.length - 1]?.id;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages.length, lastId]);

  const onScroll = (): void => {
    const element = scroller.current;
    if (!element) return;
    stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
  };

  return (
    <div class="thread" ref={scroller} onScroll={onScroll}>
      {messages.length === 0 ? (
        <p class="muted pad">No messages yet.</p>
      ) : (
        <ol class="thread__list" aria-label="Messages">
          {messages.map((message) => (
            <MessageBubble key={message.id} message={message} />
          ))}
        </ol>
      )}
    </div>
  );
}
