import { useCallback, useState } from 'preact/hooks';
import { ConversationList } from '../components/ConversationList';
import { ConversationView } from '../components/ConversationView';
import { type TabItem, Tabs, tabId } from '../components/Tabs';
import { useAlerts } from '../lib/alerts';
import { navigate, useRoute } from '../lib/route';
import type { InboxView, Me } from '../types';

const TABS: readonly TabItem<InboxView>[] = [
  { id: 'new', label: 'New' },
  { id: 'mine', label: 'Assigned to me' },
  { id: 'all', label: 'All' },
];

const PANEL_ID = 'inbox-panel';

export function InboxPage({ me }: { me: Me }) {
  const route = useRoute();
  const { view, conversationId } = route;
  const [refreshKey, setRefreshKey] = useState(0);
  const alerts = useAlerts();

  const selectView = (next: InboxView): void => navigate({ view: next, conversationId });
  const select = useCallback(
    (id: string) => {
      alerts.clearError('general'); // an action's error belongs to the conversation it was about
      navigate({ view, conversationId: id });
    },
    [view, alerts],
  );
  const onChanged = useCallback(() => setRefreshKey((key) => key + 1), []);
  const onBack = useCallback(() => navigate({ view, conversationId: null }), [view]);

  return (
    <main class={conversationId ? 'inbox inbox--open' : 'inbox'}>
      <section class="inbox__list" aria-label="Inbox">
        <Tabs label="Inbox views" items={TABS} selected={view} panelId={PANEL_ID} onSelect={selectView} />
        <div class="inbox__rows" id={PANEL_ID} role="tabpanel" aria-labelledby={tabId(view)}>
          <ConversationList
            key={view}
            view={view}
            selectedId={conversationId}
            onSelect={select}
            refreshKey={refreshKey}
          />
        </div>
      </section>
      <div class="inbox__detail">
        {conversationId ? (
          <ConversationView
            key={conversationId}
            conversationId={conversationId}
            me={me}
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
