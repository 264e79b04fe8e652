import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, setUnauthorizedListener } from './api';
import { AlertRegion } from './components/AlertRegion';
import { AppHeader } from './components/AppHeader';
import { type Alerts, AlertsContext, reportError } from './lib/alerts';
import { InboxPage } from './pages/InboxPage';
import { SignInPage } from './pages/SignInPage';
import { clearSession, getToken } from './session';
import type { Me } from './types';

interface Alert {
  message: string;
  key: string;
}

const SESSION_ENDED = 'Your session has ended. Please sign in again.';

export function App() {
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [me, setMe] = useState<Me | null>(null);
  const [meFailed, setMeFailed] = useState(false);
  const [alert, setAlert] = useState<Alert | null>(null);

  const alerts = useMemo<Alerts>(
    () => ({
      showError: (message, key = 'general') => setAlert({ message, key }),
      clearError: (key) =>
        setAlert((current) => (current && key !== undefined && current.key !== key ? current : null)),
    }),
    [],
  );

  const signOut = useCallback((reason?: string) => {
    clearSession();
    setMe(null);
    setMeFailed(false);
    setSignedIn(false);
    setAlert(reason ? { message: reason, key: 'session' } : null);
  }, []);

  // Any 401 (expired or revoked token) ends the session and goes back to sign-in.
  useEffect(() => {
    setUnauthorizedListener(() => signOut(SESSION_ENDED));
    return () => setUnauthorizedListener(null);
  }, [signOut]);

  const loadMe = useCallback(
    (signal?: AbortSignal) => {
      setMeFailed(false);
      api.me(signal).then(
        (result) => setMe(result),
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

  let content;
  if (!signedIn) {
    content = <SignInPage onSignedIn={() => setSignedIn(true)} />;
  } else if (!me) {
    content = (
      <main class="loading">
        {meFailed ? (
          <button type="button" class="button" onClick={() => loadMe()}>
            Try again
          </button>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    );
  } else {
    content = <InboxPage me={me} />;
  }

  return (
    <AlertsContext.Provider value={alerts}>
      <div class="app">
        {signedIn && <AppHeader me={me} onSignOut={() => signOut()} />}
        <AlertRegion message={alert?.message ?? null} onDismiss={() => setAlert(null)} />
        {content}
      </div>
    </AlertsContext.Provider>
  );
}
