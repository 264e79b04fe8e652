import { useEffect, useRef } from 'preact/hooks';
import { useConversationList } from '../hooks/useConversationList';
import type { InboxView } from '../types';
import { ConversationRow } from './ConversationRow';

interface Props {
  view: InboxView;
  selectedId: string | null;
  onSelect(id: string): void;
  /** Changes when something else changed a conversation: the list polls at once. */
  refreshKey: number;
}

const EMPTY_TEXT: Record<InboxView, string> = {
  new: 'No new conversations.',
  mine: 'No conversations assigned to you.',
  all: 'No conversations yet.',
};

/** Render with `key={view}`. */
export function ConversationList({ view, selectedId, onSelect, refreshKey }: Props) {
  const list = useConversationList(view);
  const { refresh } = list;
  const seenKey = useRef(refreshKey);

  useEffect(() => {
    if (seenKey.current === refreshKey) return;
    seenKey.current = refreshKey;
    refresh();
  }, [refreshKey, refresh]);

  if (!list.loaded) return <p class="muted pad">Loading…</p>;

  return (
    <>
      {list.items.length === 0 ? (
        <p class="muted pad">{EMPTY_TEXT[view]}</p>
      ) : (
        <ul class="rows" aria-label="Conversations">
          {list.items.map((conversation) => (
            <ConversationRow
              key={conversation.id}
              conversation={conversation}
              selected={conversation.id === selectedId}
              onSelect={onSelect}
            />
          ))}
        </ul>
      )}
      {list.hasMore && (
        <div class="pad">
          <button
            type="button"
            class="button button--block"
            disabled={list.loadingMore}
            onClick={() => void list.loadMore()}
          >
            {list.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
