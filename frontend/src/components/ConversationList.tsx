import { useEffect, useRef, useState } from 'preact/hooks';
import type { TabCount } from '../hooks/useInboxWatch';
import { useConversationList } from '../hooks/useConversationList';
import type { SortChoice } from '../lib/sorting';
import type { ConversationFilters, InboxView } from '../types';
import { ConversationRow } from './ConversationRow';
import { impersonatesStaff } from '../lib/format';

interface Props {
  view: InboxView;
  sorting: SortChoice;
  filters: ConversationFilters;
  selectedId: string | null;
  onSelect(id: string): void;
  /** Changes when something else changed a conversation: the list polls at once. */
  refreshKey: number;
  /** The loaded conversations (the tab's count). */
  onCount(count: TabCount): void;
  /** The team's display names by user id (the rows' owners). */
  names: Map<string, string>;
}

/** The rows' waiting times move on once a minute. */
const TICK_MS = 60_000;

function useNow(every: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, [every]);
  return now;
}

const EMPTY_TEXT: Record<InboxView, string> = {
  new: 'No new conversations.',
  mine: 'No conversations assigned to you.',
  assigned: 'No conversations are assigned in this team.',
  all: 'No conversations yet.',
};

/** Render with a `key` of view and sort. */
export function ConversationList({ view, sorting, filters, selectedId, onSelect, refreshKey, onCount, names }: Props) {
  const list = useConversationList(view, sorting, filters);
  const now = useNow(TICK_MS);
  const filtered = Object.keys(filters).length > 0;
  const { refresh } = list;
  const seenKey = useRef(refreshKey);

  useEffect(() => {
    if (seenKey.current === refreshKey) return;
    seenKey.current = refreshKey;
    refresh();
  }, [refreshKey, refresh]);

  const count = list.items.length;
  const { hasMore, loaded } = list;
  useEffect(() => {
    if (loaded) onCount({ count, more: hasMore });
  }, [loaded, count, hasMore, onCount]);

  if (!list.loaded) return <p class="muted pad">Loading…</p>;

  return (
    <>
      {list.items.length === 0 ? (
        <p class="muted pad">{filtered ? 'No conversations match the filters.' : EMPTY_TEXT[view]}</p>
      ) : (
        <ul class="rows" aria-label="Conversations">
          {list.items.map((conversation) => (
            <ConversationRow
              key={conversation.id}
              conversation={conversation}
              selected={conversation.id === selectedId}
              onSelect={onSelect}
              ownerName={conversation.owner_id ? names.get(conversation.owner_id) : undefined}
              now={now}
              impersonates={impersonatesStaff(conversation.customer_name, names.values())}
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
