import type { ComponentChildren, FunctionComponent } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { AppHeader } from '../components/AppHeader';
import { Dialog } from '../components/Dialog';
import { ShortcutList } from '../components/ShortcutList';
import { useAvailability } from '../hooks/useAvailability';
import { useInboxWatch } from '../hooks/useInboxWatch';
import { PushContext, usePushConnection } from '../hooks/usePush';
import { useAlerts } from '../lib/alerts';
import type { Arrival } from '../lib/arrivals';
import { setTitleMarker, showNotification } from '../lib/desktop';
import { customerLabel } from '../lib/format';
import { notificationsPref } from '../lib/prefs';
import { type Route, inboxRoute, navigate } from '../lib/route';
import { useShortcut, useShortcutListener } from '../lib/shortcuts';
import type { Me } from '../types';
import { CustomerPage } from './CustomerPage';
import { HelpPage } from './HelpPage';
import { CustomersPage } from './CustomersPage';
import { InboxPage } from './InboxPage';
import type { SettingsPageProps } from './SettingsPage';
import type { StatisticsPageProps } from './StatisticsPage';
import { t, tn } from '../lib/i18n';

/** Notifications shown for one read of the inbox at most; more are summed up in one. */
const MAX_NOTIFICATIONS = 3;

interface Props {
  me: Me;
  route: Route;
  alertRegion: ComponentChildren;
  onSignOut(): void;
  onTeamChange(team: string): void;
}

/** Whether the agent is looking at this tab now. */
function useAttention(): () => boolean {
  const focused = useRef(document.hasFocus());
  useEffect(() => {
    const onFocus = (): void => {
      focused.current = true;
    };
    const onBlur = (): void => {
      focused.current = false;
    };
    window.addEventListener('focus', onFocus);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('focus', onFocus);
      window.removeEventListener('blur', onBlur);
    };
  }, []);
  return useCallback(() => focused.current && document.visibilityState === 'visible', []);
}

function notifyArrivals(arrivals: Arrival[]): void {
  const shown = arrivals.slice(0, MAX_NOTIFICATIONS);
  for (const { conversation, isNew } of shown) {
    const name = customerLabel(conversation);
    showNotification(isNew ? t('notify.new_conversation', { name }) : t('notify.new_message', { name }), {
      body: conversation.preview,
      tag: conversation.id,
      onClick: () => navigate(inboxRoute(conversation.state === 'new' ? 'new' : 'mine', conversation.id)),
    });
  }
  const rest = arrivals.length - shown.length;
  if (rest > 0) showNotification(tn('notify.more', rest), { body: t('notify.more_body') });
}

/**
 * The signed-in app for one team: header, the page of the route, the background watcher
 * (tab counts, notifications, the unseen marker in the title) and the keyboard shortcuts.
 */
export function Shell(props: Props) {
  const push = usePushConnection(props.me.team_id, props.me.user.id);
  return (
    <PushContext.Provider value={push}>
      <SignedIn {...props} />
    </PushContext.Provider>
  );
}

function SignedIn({ me, route, alertRegion, onSignOut, onTeamChange }: Props) {
  const alerts = useAlerts();
  const attentive = useAttention();
  const [unseen, setUnseen] = useState(0);
  const [showShortcuts, setShowShortcuts] = useState(false);

  const onArrivals = useCallback(
    (arrivals: Arrival[]) => {
      if (attentive()) return; // the agent sees the lists update
      setUnseen((count) => count + arrivals.length);
      if (notificationsPref.get()) notifyArrivals(arrivals);
    },
    [attentive],
  );
  // Bumped when the watcher sees a change: the open list and conversation read again at once.
  const [watchTick, setWatchTick] = useState(0);
  const onChange = useCallback(() => setWatchTick((tick) => tick + 1), []);
  const counts = useInboxWatch({ onArrivals, onChange });
  const availability = useAvailability(me.away_after_minutes);

  // Unseen arrivals are seen once the agent is back on this tab.
  useEffect(() => {
    const onBack = (): void => {
      if (attentive()) setUnseen(0);
    };
    window.addEventListener('focus', onBack);
    document.addEventListener('visibilitychange', onBack);
    return () => {
      window.removeEventListener('focus', onBack);
      document.removeEventListener('visibilitychange', onBack);
    };
  }, [attentive]);

  useEffect(() => setTitleMarker(unseen), [unseen]);
  useEffect(() => () => setTitleMarker(0), []);

  useShortcutListener(alerts.notify);
  useShortcut('shortcuts', () => setShowShortcuts((open) => !open));

  return (
    <>
      <AppHeader
        me={me}
        route={route}
        onSignOut={onSignOut}
        onTeamChange={onTeamChange}
        onShowShortcuts={() => setShowShortcuts(true)}
        availability={availability}
      />
      {alertRegion}
      {route.page === 'settings' ? (
        // Keyed: from statistics straight to settings is another page, not the same one's state.
        <LazyPage key="settings" load={loadSettings} props={{ section: route.section, me }} what="settings" />
      ) : route.page === 'statistics' ? (
        <LazyPage key="statistics" load={loadStatistics} props={{ me }} what="statistics" />
      ) : route.page === 'help' ? (
        <HelpPage />
      ) : route.page === 'customers' ? (
        route.customerId ? (
          <CustomerPage key={route.customerId} customerId={route.customerId} me={me} />
        ) : (
          <CustomersPage />
        )
      ) : (
        <InboxPage me={me} route={route} counts={counts} watchTick={watchTick} onTeamChange={onTeamChange} />
      )}
      {showShortcuts && (
        <Dialog title={t('header.shortcuts')} testId="shortcuts-dialog" onClose={() => setShowShortcuts(false)}>
          <ShortcutList />
        </Dialog>
      )}
    </>
  );
}

const loadSettings = (): Promise<FunctionComponent<SettingsPageProps>> =>
  import('./SettingsPage').then((module) => module.SettingsPage);
const loadStatistics = (): Promise<FunctionComponent<StatisticsPageProps>> =>
  import('./StatisticsPage').then((module) => module.StatisticsPage);

const loaded = new Map<unknown, FunctionComponent<never>>();

/** A page loaded on first visit (settings, statistics): agents spend their day in the inbox. */
function LazyPage<P extends object>({
  load,
  props,
  what,
}: {
  load: () => Promise<FunctionComponent<P>>;
  props: P;
  what: 'settings' | 'statistics';
}) {
  const [Page, setPage] = useState(() => (loaded.get(load) as FunctionComponent<P> | undefined) ?? null);
  const alerts = useAlerts();
  useEffect(() => {
    if (Page) return;
    load().then(
      (component) => {
        loaded.set(load, component as FunctionComponent<never>);
        setPage(() => component);
      },
      () => alerts.showError(t(what === 'settings' ? 'shell.settings_failed' : 'shell.statistics_failed')),
    );
  }, [Page, alerts, load, what]);
  if (!Page) return <main class="loading"><p class="muted">{t('app.loading')}</p></main>;
  return <Page {...props} />;
}
