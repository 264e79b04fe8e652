import { useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../lib/i18n';
import type { Message } from '../types';
import { MessageBubble, type RouteMarker } from './MessageBubble';
import { SystemLine } from './SystemLine';

interface Props {
  messages: Message[];
  /** Older messages remain to be read. */
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder(): void;
  onMediaExpired(): void;
  /** Sends a failed reply again (absent: this agent may not reply here). */
  onResend?(message: Message): Promise<void>;
  /** Each message's channel and account, in a thread that spans channels (null: not shown). */
  markerOf?: ((message: Message) => RouteMarker) | null;
}

/** How close to the top (px) scrolling up starts reading the older page. */
const OLDER_THRESHOLD_PX = 120;

/**
 * The messages, oldest first; stays scrolled to the newest unless the agent scrolled up.
 * Scrolling near the top reads the older page; the messages in view stay where they are.
 */
export function MessageThread({
  messages,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  onMediaExpired,
  onResend,
  markerOf = null,
}: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  // The scroll height before older messages were put above, to keep the view where it was.
  const heightBefore = useRef<number | null>(null);
  const lastId = messages[messages.length - 1]?.id;
  const firstId = messages[0]?.id;

  const loadOlder = (): void => {
    const element = scroller.current;
    if (!element || !hasOlder || loadingOlder) return;
    heightBefore.current = element.scrollHeight;
    onLoadOlder();
  };

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (heightBefore.current !== null && !stickToBottom.current) {
      element.scrollTop += element.scrollHeight - heightBefore.current;
    } else if (stickToBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
    heightBefore.current = null;
    // a page that does not fill the view cannot be scrolled up: read further back at once
    if (element.scrollHeight <= element.clientHeight && hasOlder && !loadingOlder) loadOlder();
    // (the channel markers, shown once the routes are read, change the messages' height too)
  }, [messages.length, lastId, firstId, hasOlder, markerOf !== null]);

  const onScroll = (): void => {
    const element = scroller.current;
    if (!element) return;
    stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
    if (element.scrollTop < OLDER_THRESHOLD_PX) loadOlder();
  };

  // Images load after they are placed: keep following the newest message while pinned to it.
  const onLoad = (): void => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  };

  return (
    <div class="thread" ref={scroller} onScroll={onScroll} onLoadCapture={onLoad} tabIndex={0} role="region" aria-label={t('thread.messages')}>
      {hasOlder && (
        <p class="thread__older">
          <button type="button" class="button button--quiet" disabled={loadingOlder} onClick={loadOlder} data-testid="load-older">
            {loadingOlder ? t('thread.loading_older') : t('thread.load_older')}
          </button>
        </p>
      )}
      {messages.length === 0 ? (
        <p class="muted pad">{t('thread.empty')}</p>
      ) : (
        <ol class="thread__list">
          {messages.map((message) =>
            message.direction === 'system' ? (
              <SystemLine key={message.id} message={message} />
            ) : (
              <MessageBubble
                key={message.id}
                message={message}
                marker={markerOf ? markerOf(message) : null}
                onMediaExpired={onMediaExpired}
                onResend={onResend}
              />
            ),
          )}
        </ol>
      )}
    </div>
  );
}
