// Watches the inbox in the background for the whole signed-in session, whichever page is open:
// the tab counts and the arrivals (new conversations, new customer messages) that drive the
// desktop notifications and the title marker. It polls half a beat after the open list and
// conversation (see usePolling) and reports any change in New or Assigned to me, so they can
// read again at once instead of waiting for their own next beat.
//
// There is no count endpoint: a count is the number of conversations on the first page of a
// tab (up to COUNT_PAGE_SIZE), shown with a "+" when the tab has more pages.

import { useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { type Arrival, ArrivalTracker } from '../lib/arrivals';
import type { Conversation, InboxView, Page } from '../types';
import { POLL_INTERVAL_MS, usePolling } from './usePolling';

export const COUNT_PAGE_SIZE = 50;
/** While the page is hidden the watcher still runs (for notifications), less often. */
const HIDDEN_INTERVAL_MS = 10_000;
/** Assigned and All only feed counts: read them on every few ticks (and on the tick after New
 * or Assigned to me changed), not while hidden. */
const SLOW_TICKS = 4;

export interface TabCount {
  count: number;
  more: boolean;
}

export type TabCounts = Partial<Record<InboxView, TabCount>>;

function countOf(page: Page<Conversation>): TabCount {
  return { count: page.items.length, more: page.next_cursor !== null };
}

export interface WatchListeners {
  /** New conversations or customer messages (not called for the first read). */
  onArrivals(arrivals: Arrival[]): void;
  /** Anything changed in New or Assigned to me since the previous read. */
  onChange(): void;
}

/** What a change in a list looks like: which conversations, at which version and activity. */
function signatureOf(conversations: readonly Conversation[]): string {
  return conversations.map((c) => `${c.id}:${c.version}:${c.last_message_at}`).join(',');
}

export function useInboxWatch(listeners: WatchListeners): TabCounts {
  const [counts, setCounts] = useState<TabCounts>({});
  const tracker = useRef(new ArrivalTracker());
  const ticks = useRef(0);
  const signature = useRef<string | null>(null);
  const countAllNext = useRef(true);
  const listenersRef = useRef(listeners);
  listenersRef.current = listeners;

  usePolling(
    async (signal) => {
      const options = { limit: COUNT_PAGE_SIZE, signal };
      const slow =
        (countAllNext.current || ticks.current % SLOW_TICKS === 0) && document.visibilityState !== 'hidden';
      ticks.current += 1;
      if (slow) countAllNext.current = false;
      try {
        // New: newest first, so a new conversation is on the first page however many wait.
        // Mine: latest message first, so a new message in any of them is on the first page.
        const [fresh, mine, assigned, all] = await Promise.all([
          api.listConversations('new', { ...options, sort: 'created', order: 'desc' }),
          api.listConversations('mine', { ...options, sort: 'activity', order: 'desc' }),
          slow ? api.listConversations('assigned', options) : null,
          slow ? api.listConversations('all', options) : null,
        ]);
        if (signal.aborted) return;
        setCounts((current) => {
          const next: TabCounts = { ...current, new: countOf(fresh), mine: countOf(mine) };
          if (assigned) next.assigned = countOf(assigned);
          if (all) next.all = countOf(all);
          return JSON.stringify(next) === JSON.stringify(current) ? current : next;
        });
        const watched = [...fresh.items, ...mine.items];
        const arrivals = tracker.current.update(watched);
        if (arrivals.length) listenersRef.current.onArrivals(arrivals);
        const nextSignature = signatureOf(watched);
        if (signature.current !== null && nextSignature !== signature.current) {
          countAllNext.current = true;
          listenersRef.current.onChange();
        }
        signature.current = nextSignature;
      } catch {
        // Errors show where the agent is looking (the open list or conversation); a background
        // read that fails just tries again on the next tick.
      }
    },
    POLL_INTERVAL_MS,
    [],
    { hiddenIntervalMs: HIDDEN_INTERVAL_MS, phase: 0.5 },
  );

  return counts;
}
