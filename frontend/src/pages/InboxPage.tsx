import type { FunctionComponent } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ConversationList } from '../components/ConversationList';
import { ConversationView } from '../components/ConversationView';
import { FilterDialog, describeFilters, filterCount } from '../components/FilterDialog';
import { FirstRunGuide } from '../components/FirstRunGuide';
import { type TabItem, Tabs, tabId } from '../components/Tabs';
import type { TabCount, TabCounts } from '../hooks/useInboxWatch';
import { usePush } from '../hooks/usePush';
import { useAlerts } from '../lib/alerts';
import { canWork, useMemberNames } from '../lib/directory';
import { NO_LIST, tabWatch } from '../lib/push';
import { usePref } from '../lib/prefs';
import { type InboxRoute, inboxRoute, navigate } from '../lib/route';
import { formatSort, parseSort, sortOptions, sortPref } from '../lib/sorting';
import type { ConversationFilters, InboxView, Me } from '../types';
import type { StartConversationProps } from './StartConversation';
import { type MessageKey, t } from '../lib/i18n';

const TABS: readonly { id: InboxView; label: MessageKey }[] = [
  { id: 'new', label: 'tabs.new' },
  { id: 'mine', label: 'tabs.mine' },
  { id: 'assigned', label: 'tabs.assigned' },
  { id: 'all', label: 'tabs.all' },
];

const PANEL_ID = 'inbox-panel';

function countText(count: TabCount | undefined): string | undefined {
  return count ? `${count.count}${count.more ? '+' : ''}` : undefined;
}

/** The filters last applied, for this page load: kept across tabs and a team change. */
let savedFilters: ConversationFilters = {};

let startWizard: FunctionComponent<StartConversationProps> | null = null;

interface Props {
  me: Me;
  onTeamChange(team: string): void;
  route: InboxRoute;
  /** Counts of every tab from the background watcher. */
  counts: TabCounts;
  /** Changes when the background watcher saw a change in the inbox. */
  watchTick: number;
}

export function InboxPage({ me, route, counts, watchTick, onTeamChange }: Props) {
  const { view, conversationId } = route;
  const [filters, setFilters] = useState<ConversationFilters>(savedFilters);
  const [filtering, setFiltering] = useState(false);
  const [Wizard, setWizard] = useState<FunctionComponent<StartConversationProps> | null>(null);
  const names = useMemberNames(me.team_id);
  const [refreshKey, setRefreshKey] = useState(0);
  const [listCount, setListCount] = useState<TabCount | undefined>(undefined);
  const [sorting, setSorting] = usePref(sortPref(view));
  const alerts = useAlerts();

  useEffect(() => setListCount(undefined), [view]);

  // The server sends this tab only the notices that can concern what it shows: tell it.
  const { setWatch } = usePush();
  const filtered = filterCount(filters) > 0;
  useEffect(() => {
    setWatch(tabWatch(view, filtered, conversationId));
    return () => setWatch(NO_LIST);
  }, [setWatch, view, filtered, conversationId]);

    const tabs: TabItem<InboxView>[] = TABS.map((tab) => ({
    ...tab,
    label: t(tab.label),
    // Exact counts from the server; a filtered open tab counts what its list has loaded.
    count: countText(tab.id === view && filterCount(filters) ? (listCount ?? counts[tab.id]) : (counts[tab.id] ?? listCount)),
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

  const applyFilters = (next: ConversationFilters, team: string): void => {
    savedFilters = next;
    setFilters(next);
    setFiltering(false);
    if (next.state?.length && view !== 'all') navigate(inboxRoute('all'));
    if (team !== me.team_id) onTeamChange(team);
  };

  const openWizard = (): void => {
    if (startWizard) {
      setWizard(() => startWizard);
      return;
    }
    // the wizard is used now and then: it loads on first use
    import('./StartConversation').then(
      (module) => {
        startWizard = module.StartConversation;
        setWizard(() => module.StartConversation);
      },
      () => alerts.showError(t('inbox.wizard_failed')),
    );
  };

  const described = describeFilters(filters, names);
  const count = filterCount(filters);

  return (
    <main class={conversationId ? 'inbox inbox--open' : 'inbox'}>
      <section class="inbox__list" aria-label={t('header.title')}>
        <Tabs label={t('tabs.label')} items={tabs} selected={view} panelId={PANEL_ID} onSelect={selectView} />
        <div class="list-tools">
          <label for={sortId} class="list-tools__label">
            {t('inbox.sort')}
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
            {sortOptions(view).map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <button
            type="button"
            class="button"
            aria-haspopup="dialog"
            onClick={() => setFiltering(true)}
            title={t('inbox.filter_hint')}
          >
            {t('inbox.filter')}
            {count ? ` (${count})` : ''}
          </button>
          {canWork(me.user.role) && (
            <button type="button" class="button button--primary" onClick={openWizard}>
              {t('inbox.start')}
            </button>
          )}
        </div>
        {described.length > 0 && (
          <div class="filter-line" data-testid="active-filters">
            <span>{described.join(' · ')}</span>
            <button
              type="button"
              class="link-button"
              onClick={() => {
                savedFilters = {};
                setFilters({});
              }}
            >
              {t('inbox.clear_filters')}
            </button>
          </div>
        )}
        <div class="inbox__rows" id={PANEL_ID} role="tabpanel" aria-labelledby={tabId(view)}>
          <ConversationList
            key={`${view}:${formatSort(sorting)}:${JSON.stringify(filters)}`}
            view={view}
            sorting={sorting}
            filters={filters}
            selectedId={conversationId}
            onSelect={select}
            refreshKey={refreshKey + watchTick}
            onCount={setListCount}
            names={names}
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
          <FirstRunGuide userId={me.user.id} />
        )}
      </div>
      {filtering && (
        <FilterDialog me={me} filters={filters} onApply={applyFilters} onClose={() => setFiltering(false)} />
      )}
      {Wizard && (
        <Wizard
          me={me}
          onClose={() => setWizard(null)}
          onStarted={(id) => {
            setWizard(null);
            alerts.notify(t('inbox.started'));
            onChanged();
            navigate(inboxRoute('mine', id));
          }}
        />
      )}
    </main>
  );
}
