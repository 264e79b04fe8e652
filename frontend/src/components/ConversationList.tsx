import { useEffect, useRef, useState } from 'preact/hooks';
import type { TabCount } from '../hooks/useInboxWatch';
import { useConversationList } from '../hooks/useConversationList';
import type { SortChoice } from '../lib/sorting';
import type { ConversationFilters, InboxView } from '../types';
import { ConversationRow } from './ConversationRow';
import { impersonatesStaff } from '../lib/format';
import { type MessageKey, t } from '../lib/i18n';

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

const EMPTY_TEXT: Record<InboxView, MessageKey> = {
  new: 'list.empty_new',
  mine: 'list.empty_mine',
  assigned: 'list.empty_assigned',
  all: 'list.empty_all',
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

  if (!list.loaded) return <p class="muted pad">{t('app.loading')}</p>;

  return (
    <>
      {list.items.length === 0 ? (
        <p class="muted pad">{filtered ? t('list.no_match') : t(EMPTY_TEXT[view])}</p>
      ) : (
        <ul class="rows" aria-label={t('header.conversations')}>
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
            {list.loadingMore ? t('app.loading') : t('list.load_more')}
          </button>
        </div>
      )}
    </>
  );
}
