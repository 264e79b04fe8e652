import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Message } from '../types';
import { MessageBubble } from './MessageBubble';

interface Props {
  messages: Message[];
  onMediaExpired(): void;
}

/** The messages, oldest first; stays scrolled to the newest unless the agent scrolled up. */
export function MessageThread({ messages, onMediaExpired }: Props) {
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

  // Images load after they are placed: keep following the newest message while pinned to it.
  const onLoad = (): void => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  };

  return (
    <div class="thread" ref={scroller} onScroll={onScroll} onLoadCapture={onLoad} tabIndex={0} role="region" aria-label="Messages">
      {messages.length === 0 ? (
        <p class="muted pad">No messages yet.</p>
      ) : (
        <ol class="thread__list">
          {messages.map((message) => (
            <MessageBubble key={message.id} message={message} onMediaExpired={onMediaExpired} />
          ))}
        </ol>
      )}
    </div>
  );
}
