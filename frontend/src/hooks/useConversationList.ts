// One inbox tab's conversations: a pushed notice of a change in the inbox that carries the
// conversation's row puts it in place (lib/rows.ts) when the list can tell where it goes; any other
// change the list can show makes it read its first page again (as does the safety poll while the
// socket is down). "Load more" appends the pages after it (those are not re-read, but a
// conversation in the fresh first page always wins over its older copy further down). Rows keep
// their keys, so a poll never re-creates them: no flicker, and the list keeps its scroll position.

import { useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { reportError, useAlerts } from '../lib/alerts';
import { touchesList, withTags } from '../lib/push';
import { type ListPlace, RecentRows, placeRow } from '../lib/rows';
import type { SortChoice } from '../lib/sorting';
import type { Conversation, ConversationFilters, InboxView } from '../types';
import { useNotices, usePollInterval, usePush } from './usePush';
import { usePolling } from './usePolling';

export const PAGE_SIZE = 50;

interface ListState {
  first: Conversation[];
  more: Conversation[];
  cursor: string | null;
  loaded: boolean;
}

const EMPTY: ListState = { first: [], more: [], cursor: null, loaded: false };

export interface ConversationList {
  items: Conversation[];
  loaded: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): Promise<void>;
  refresh(): void;
}

/** The filters a tab takes: New and Assigned to me have their own agent, only All has any state. */
export function filtersFor(view: InboxView, filters: ConversationFilters): ConversationFilters {
  const { team: _team, ...rest } = filters;
  if (view === 'new' || view === 'mine') delete rest.agent;
  if (view !== 'all') delete rest.state;
  return rest;
}

/** Whether any filter narrows the list (the server's lists know no filter: rows cannot be placed). */
function narrowed(filters: ConversationFilters): boolean {
  return Object.values(filters).some((value) => (Array.isArray(value) ? value.length > 0 : !!value));
}

/** Use with a `key` of view, sort and filters on the component so a change starts from an empty list. */
export function useConversationList(
  view: InboxView,
  sorting: SortChoice,
  allFilters: ConversationFilters = {},
): ConversationList {
  const alerts = useAlerts();
  const [state, setState] = useState<ListState>(EMPTY);
  const [loadingMore, setLoadingMore] = useState(false);
  const errorKey = `list:${view}`;
  const { sort, order } = sorting;
  const filters = filtersFor(view, allFilters);
  const filterKey = JSON.stringify(filters);
  const { userId, requestRead } = usePush();
  // Rows are put in place only in a list in one of the server's orders, unfiltered, of one page.
  const placesRows = !narrowed(filters) && sort !== 'waiting';
  const recent = useRef(new RecentRows());
  const placeIn = (cursor: string | null): ListPlace => ({ view, me: userId, sort, order, complete: cursor === null });

  const refresh = usePolling(
    async (signal) => {
      try {
        const started = Date.now();
        const page = await api.listConversations(view, { sort, order, limit: PAGE_SIZE, signal, filters });
        if (signal.aborted) return;
        setState((current) => {
          // (rows pushed while the read was on its way may be newer than its answer)
          const items =
            placesRows && !current.more.length
              ? recent.current.reconcile(page.items, placeIn(page.next_cursor), started)
              : page.items;
          return {
            first: sameConversations(current.first, items) ? current.first : [...items],
            more: current.more,
            // once more pages are loaded, the cursor to follow is the one after the last of them
            cursor: current.more.length ? current.cursor : page.next_cursor,
            loaded: true,
          };
        });
        alerts.clearError(errorKey);
      } catch (error) {
        reportError(alerts, error, errorKey);
      }
    },
    usePollInterval(),
    [view, sort, order, filterKey],
  );
  const shown = useRef<ReadonlySet<string>>(new Set());
  const loadedMore = useRef(false);
  loadedMore.current = state.more.length > 0;
  useNotices((message) => {
    // Tags come with their notices: the rows shown take them in place. Only a tab filtered by tag
    // reads again (a conversation may enter or leave it).
    const byTag = !!filters.tag?.length;
    if (!byTag) {
      setState((current) => {
        const first = withTags(current.first, message.notices);
        const more = withTags(current.more, message.notices);
        return first || more ? { ...current, first: first ?? current.first, more: more ?? current.more } : current;
      });
    }
    const reads = byTag ? message.notices : message.notices.filter((notice) => !(notice.type === 'tags' && notice.tags));
    // A conversation that gains a tag the list is filtered by enters it, though no row shows it yet.
    const entersByTag =
      byTag && message.notices.some((notice) => notice.type === 'tags' && notice.tags?.some((tag) => filters.tag?.includes(tag)));
    const touching = reads.filter((notice) => touchesList(notice, view, userId, shown.current));
    const placing = placesRows && !loadedMore.current;
    const rows = placing ? touching.flatMap((notice) => (notice.conversation ? [notice.conversation] : [])) : [];
    const fresh = rows.filter((row) => recent.current.remember(row));
    if (fresh.length) {
      setState((current) => {
        if (current.more.length) return current;
        let first = current.first;
        for (const row of fresh) {
          const placed = placeRow(first, row, placeIn(current.cursor));
          if (Array.isArray(placed)) first = placed;
        }
        return first === current.first ? current : { ...current, first };
      });
    }
    if (entersByTag || touching.some((notice) => !placing || !notice.conversation)) requestRead(refresh);
  });

  const loadMore = async (): Promise<void> => {
    if (!state.cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await api.listConversations(view, { sort, order, limit: PAGE_SIZE, cursor: state.cursor, filters });
      setState((current) => ({
        ...current,
        more: [...current.more, ...page.items],
        cursor: page.next_cursor,
      }));
    } catch (error) {
      reportError(alerts, error, errorKey);
    } finally {
      setLoadingMore(false);
    }
  };

  const items = useMemo(() => {
    const seen = new Set<string>();
    const merged: Conversation[] = [];
    for (const conversation of [...state.first, ...state.more]) {
      if (seen.has(conversation.id)) continue;
      seen.add(conversation.id);
      merged.push(conversation);
    }
    shown.current = seen;
    return merged;
  }, [state.first, state.more]);

  return {
    items,
    loaded: state.loaded,
    hasMore: state.cursor !== null,
    loadingMore,
    loadMore,
    refresh,
  };
}

/** Same conversations in the same order, as shown (versions, clocks, unread): nothing to re-render. */
function sameConversations(a: readonly Conversation[], b: readonly Conversation[]): boolean {
  return (
    a.length === b.length &&
    a.every((conversation, index) => {
      const other = b[index];
      return (
        other !== undefined &&
        other.id === conversation.id &&
        other.version === conversation.version &&
        other.last_message_at === conversation.last_message_at &&
        other.preview === conversation.preview &&
        other.customer_name === conversation.customer_name &&
        // the queue's clocks and the owner's look change without a new version
        other.unread === conversation.unread &&
        other.waiting_since === conversation.waiting_since &&
        other.awaiting_customer_since === conversation.awaiting_customer_since
      );
    })
  );
}
