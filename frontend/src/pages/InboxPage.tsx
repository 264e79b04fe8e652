import { useCallback, useEffect, useState } from 'preact/hooks';
import { ConversationList } from '../components/ConversationList';
import { ConversationView } from '../components/ConversationView';
import { type TabItem, Tabs, tabId } from '../components/Tabs';
import type { TabCount, TabCounts } from '../hooks/useInboxWatch';
import { useAlerts } from '../lib/alerts';
import { usePref } from '../lib/prefs';
import { type InboxRoute, inboxRoute, navigate } from '../lib/route';
import { SORT_OPTIONS, formatSort, parseSort, sortPref } from '../lib/sorting';
import type { InboxView, Me } from '../types';

const TABS: readonly { id: InboxView; label: string }[] = [
  { id: 'new', label: 'New' },
  { id: 'mine', label: 'Assigned to me' },
  { id: 'assigned', label: 'Assigned' },
  { id: 'all', label: 'All' },
];

const PANEL_ID = 'inbox-panel';

function countText(count: TabCount | undefined): string | undefined {
  return count ? `${count.count}${count.more ? '+' : ''}` : undefined;
}

interface Props {
  me: Me;
  route: InboxRoute;
  /** Counts of every tab from the background watcher. */
  counts: TabCounts;
  /** Changes when the background watcher saw a change in the inbox. */
  watchTick: number;
}

export function InboxPage({ me, route, counts, watchTick }: Props) {
  const { view, conversationId } = route;
  const [refreshKey, setRefreshKey] = useState(0);
  const [listCount, setListCount] = useState<TabCount | undefined>(undefined);
  const [sorting, setSorting] = usePref(sortPref(view));
  const alerts = useAlerts();

  useEffect(() => setListCount(undefined), [view]);

  // The open tab counts what its list has loaded (more than the watcher's first page after
  // "Load more"); the others count the watcher's first page.
  const tabs: TabItem<InboxView>[] = TABS.map((tab) => ({
    ...tab,
    count: countText(tab.id === view ? (listCount ?? counts[tab.id]) : counts[tab.id]),
  }));

  const selectView = (next: InboxView): void => navigate(inboxRoute(next, conversationId));
  const select = useCallback(
    (id: string) => {
      alerts.clearError('general'); // an action's error belongs to the conversation it was about
      navigate(inboxRoute(view, id));
    },
    [view, alerts],
  );
  const onChanged = useCallback(() => setRefreshKey((key) => key + 1), []);
  const onBack = useCallback(() => navigate(inboxRoute(view)), [view]);
  const sortId = `sort-${view}`;

  return (
    <main class={conversationId ? 'inbox inbox--open' : 'inbox'}>
      <section class="inbox__list" aria-label="Inbox">
        <Tabs label="Inbox views" items={tabs} selected={view} panelId={PANEL_ID} onSelect={selectView} />
        <div class="list-tools">
          <label for={sortId} class="list-tools__label">
            Sort
          </label>
          <select
            id={sortId}
            class="select"
            value={formatSort(sorting)}
            onChange={(event) => {
              const choice = parseSort(event.currentTarget.value);
              if (choice) setSorting(choice);
            }}
          >
            {SORT_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div class="inbox__rows" id={PANEL_ID} role="tabpanel" aria-labelledby={tabId(view)}>
          <ConversationList
            key={`${view}:${formatSort(sorting)}`}
            view={view}
            sorting={sorting}
            selectedId={conversationId}
            onSelect={select}
            refreshKey={refreshKey + watchTick}
            onCount={setListCount}
          />
        </div>
      </section>
      <div class="inbox__detail">
        {conversationId ? (
          <ConversationView
            key={conversationId}
            conversationId={conversationId}
            me={me}
            refreshKey={watchTick}
            onChanged={onChanged}
            onBack={onBack}
          />
        ) : (
          <p class="muted placeholder">Select a conversation.</p>
        )}
      </div>
    </main>
  );
}
