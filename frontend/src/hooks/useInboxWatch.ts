// Watches the inbox for the whole signed-in session, whichever page is open: the tab counts and the
// arrivals (new conversations, new customer messages) that drive the desktop notifications and the
// title marker. Both come from pushed notices: a notice about a moved conversation carries the
// team's counts; a notice of a new conversation or message carries the conversation's row, which
// tells what arrived (a notice without one makes the watcher read New and Assigned to me once). It
// reads the counts itself when it starts and at every change of the socket's state (the catch-up
// after a reconnect), and once a minute while the socket is down.
//
// WebSocket messages reach background tabs without the delay browsers put on their timers, so
// notifications arrive while the agent looks elsewhere.

import { useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { type Arrival, ArrivalTracker } from '../lib/arrivals';
import { type PushCounts, mayBeArrival } from '../lib/push';
import type { InboxView } from '../types';
import { useNotices, usePollInterval, usePush } from './usePush';
import { usePolling } from './usePolling';

/** Conversations read to tell what arrived (New newest first, Assigned to me by latest message). */
export const ARRIVALS_PAGE_SIZE = 50;

export interface TabCount {
  count: number;
  more: boolean;
}

export type TabCounts = Partial<Record<InboxView, TabCount>>;

export interface WatchListeners {
  /** New conversations or customer messages (not called for the first read). */
  onArrivals(arrivals: Arrival[]): void;
  /** Anything changed in the inbox (the safety poll's reads, while the socket is down). */
  onChange(): void;
}

/** Counts stop here (the API's default limit): beyond it a tab shows "999+". */
const COUNT_LIMIT = 999;

function tabCounts(counts: PushCounts): TabCounts {
  const limit = counts.limit ?? COUNT_LIMIT;
  const count = (value: number): TabCount => (value > limit ? { count: limit, more: true } : { count: value, more: false });
  return { new: count(counts.new), mine: count(counts.mine), assigned: count(counts.assigned), all: count(counts.all) };
}

export function useInboxWatch(listeners: WatchListeners): TabCounts {
  const [counts, setCounts] = useState<TabCounts>({});
  const tracker = useRef(new ArrivalTracker());
  const listenersRef = useRef(listeners);
  listenersRef.current = listeners;
  const interval = usePollInterval();
  const { userId, requestRead } = usePush();

  const show = (next: PushCounts): void => {
    const shown = tabCounts(next);
    setCounts((current) => (JSON.stringify(shown) === JSON.stringify(current) ? current : shown));
  };

  const readArrivals = usePolling(
    async (signal) => {
      try {
        const options = { limit: ARRIVALS_PAGE_SIZE, signal };
        const [fresh, mine] = await Promise.all([
          api.listConversations('new', { ...options, sort: 'created', order: 'desc' }),
          api.listConversations('mine', { ...options, sort: 'activity', order: 'desc' }),
        ]);
        if (signal.aborted) return;
        const arrivals = tracker.current.update([...fresh.items, ...mine.items]);
        if (arrivals.length) listenersRef.current.onArrivals(arrivals);
      } catch {
        // A background read that fails is tried again at the next notice.
      }
    },
    interval,
    [],
  );

  usePolling(
    async (signal) => {
      try {
        const next = await api.inboxCounts(signal);
        if (!signal.aborted) show(next);
      } catch {
        // shown again by the next notice that carries counts
      }
      if (interval !== null) listenersRef.current.onChange();
    },
    interval,
    [],
  );

  useNotices((message) => {
    if (message.counts) show(message.counts);
    const news = message.notices.filter((notice) => mayBeArrival(notice, userId));
    if (!news.length) return;
    // Notices that carry their conversation's row tell what arrived without a read (with a
    // thousand agents, a read of New by every tab for each arrival was the largest line of the bill).
    const rows = news.flatMap((notice) => (notice.conversation ? [notice.conversation] : []));
    if (rows.length < news.length || !tracker.current.primed) {
      requestRead(readArrivals);
      return;
    }
    const arrivals = tracker.current.update(rows);
    if (arrivals.length) listenersRef.current.onArrivals(arrivals);
  });

  return counts;
}
