import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, setTeam, setUnauthorizedListener } from './api';
import { AlertRegion } from './components/AlertRegion';
import { AuthenticatorSetup } from './components/AccountSecurity';
import { AppHeader } from './components/AppHeader';
import { StatusRegion } from './components/StatusRegion';
import { type Alerts, AlertsContext, reportError } from './lib/alerts';
import { setTitleMarker } from './lib/desktop';
import { loadCatalogue, t } from './lib/i18n';
import { applyProfile, useDisplayProfile } from './lib/locale';
import { teamPref, themePref } from './lib/prefs';
import { inboxRoute, navigate, useRoute } from './lib/route';
import { Shell } from './pages/Shell';
import { SignInPage } from './pages/SignInPage';
import { clearSession, endSession, getToken, onSessionChange, renewSession } from './session';
import type { Me } from './types';

interface Alert {
  message: string;
  key: string;
}

const NOTICE_MS = 4000;

/** The team to work in: the one last chosen in this browser if the user is still in it. */
function withStoredTeam(me: Me): Me {
  const stored = teamPref(me.user.id).get();
  return stored && stored !== me.team_id && me.user.team_ids.includes(stored) ? { ...me, team_id: stored } : me;
}

export function App() {
  // null while this tab asks whether the browser has a session (a reload, a new tab)
  const [signedIn, setSignedIn] = useState<boolean | null>(() => (getToken() !== null ? true : null));
  const [me, setMe] = useState<Me | null>(null);
  const [meFailed, setMeFailed] = useState(false);
  const [alert, setAlert] = useState<Alert | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const route = useRoute();
  // every time and number on screen is written again when the profile's language or zone changes
  useDisplayProfile();

  const alerts = useMemo<Alerts>(
    () => ({
      showError: (message, key = 'general') => setAlert({ message, key }),
      clearError: (key) =>
        setAlert((current) => (current && key !== undefined && current.key !== key ? current : null)),
      notify: (message) => {
        clearTimeout(noticeTimer.current);
        setNotice(message);
        noticeTimer.current = setTimeout(() => setNotice(null), NOTICE_MS);
      },
    }),
    [],
  );

  const signOut = useCallback((reason?: string) => {
    clearSession();
    setTeam(null);
    applyProfile(null);
    setTitleMarker(0);
    setMe(null);
    setMeFailed(false);
    setSignedIn(false);
    setAlert(reason ? { message: reason, key: 'session' } : null);
  }, []);

  // Any 401 the renewal could not mend (revoked or disabled) ends the session and goes back to sign-in.
  useEffect(() => {
    setUnauthorizedListener(() => signOut(t('app.session_ended')));
    return () => setUnauthorizedListener(null);
  }, [signOut]);

  // A reload or a new tab continues the browser's session (the API's cookie) without a sign-in.
  useEffect(() => {
    if (signedIn === null) void renewSession().then((found) => setSignedIn((now) => now || found));
  }, []);

  // Other tabs: a sign-in there signs this one in; a sign-out there (or the session's end) here too.
  useEffect(
    () =>
      onSessionChange((event) => {
        if (event === 'signed-in') {
          setAlert(null);
          setSignedIn(true);
        } else {
          signOut(t('app.signed_out_elsewhere'));
        }
      }),
    [signOut],
  );

  const signOutEverywhere = useCallback(() => {
    void endSession();
    signOut();
  }, [signOut]);

  const loadMe = useCallback(
    (signal?: AbortSignal) => {
      setMeFailed(false);
      setTeam(null); // ask who we are without a team: the answer lists the user's teams
      // The profile's language and zone apply before the first time is shown (read alongside /me).
      Promise.all([
        api.me(signal),
        api.profile(signal).then(
          async (profile) => {
            await loadCatalogue(profile.language);
            return profile;
          },
          () => null,
        ),
      ]).then(
        ([result, profile]) => {
          applyProfile(profile);
          // a browser where no theme was chosen yet follows the profile's dark mode
          if (profile?.dark_mode && themePref.get() === 'system') themePref.set('dark');
          const chosen = withStoredTeam(result);
          setTeam(chosen.team_id);
          setMe(chosen);
        },
        (error: unknown) => {
          if (signal?.aborted) return;
          setMeFailed(true);
          reportError(alerts, error, 'me');
        },
      );
    },
    [alerts],
  );

  useEffect(() => {
    if (!signedIn) return undefined;
    const controller = new AbortController();
    loadMe(controller.signal);
    return () => controller.abort();
  }, [signedIn, loadMe]);

  const changeTeam = useCallback(
    (team: string) => {
      if (!me || !me.user.team_ids.includes(team) || team === me.team_id) return;
      teamPref(me.user.id).set(team);
      setTeam(team);
      alerts.clearError();
      // an open conversation belongs to the team being left
      if (route.page === 'inbox') navigate(inboxRoute(route.view));
      setMe({ ...me, team_id: team });
    },
    [me, route, alerts],
  );

  const alertRegion = <AlertRegion message={alert?.message ?? null} onDismiss={() => setAlert(null)} />;

  let content;
  if (signedIn === null) {
    content = (
      <main class="loading">
        <p class="muted">{t('app.loading')}</p>
      </main>
    );
  } else if (!signedIn) {
    content = (
      <>
        {alertRegion}
        <SignInPage onSignedIn={() => setSignedIn(true)} />
      </>
    );
  } else if (!me) {
    content = (
      <>
        <AppHeader
          me={null}
          route={route}
          onSignOut={signOutEverywhere}
          onTeamChange={() => undefined}
          onShowShortcuts={() => undefined}
        />
        {alertRegion}
        <main class="loading">
          {meFailed ? (
            <button type="button" class="button" onClick={() => loadMe()}>
              {t('app.try_again')}
            </button>
          ) : (
            <p class="muted">{t('app.loading')}</p>
          )}
        </main>
      </>
    );
  } else if (me.mfa_required && !me.user.mfa_enabled) {
    // The service requires an authenticator app: the API answers nothing else until it is set up.
    content = (
      <>
        <AppHeader me={null} route={route} onSignOut={signOutEverywhere} onTeamChange={() => undefined}
          onShowShortcuts={() => undefined} />
        {alertRegion}
        <main class="sign-in">
          <section class="card sign-in__form" aria-labelledby="mfa-title">
            <h1 class="sign-in__title" id="mfa-title">{t('app.mfa_title')}</h1>
            <p>{t('app.mfa_required')}</p>
            <AuthenticatorSetup enabled={false} onEnabled={(user) => setMe({ ...me, user })} />
          </section>
        </main>
      </>
    );
  } else {
    // A team change starts the signed-in app afresh: lists, counts and arrivals are per team.
    content = (
      <Shell
        key={me.team_id}
        me={me}
        route={route}
        alertRegion={alertRegion}
        onSignOut={signOutEverywhere}
        onTeamChange={changeTeam}
      />
    );
  }

  return (
    <AlertsContext.Provider value={alerts}>
      <div class="app">
        {content}
        <StatusRegion message={notice} />
      </div>
    </AlertsContext.Provider>
  );
}
