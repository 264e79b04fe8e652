// One visible alert region for the whole app. Components report errors through this context;
// each report has a key, and `clearError(key)` removes the alert only if it is still the one
// shown (so a poll that recovers clears its own error, not someone else's). `notify` shows a
// short polite status ("Copied", "not available yet") that goes away by itself.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, errorMessage, isAbort } from '../api';

export interface Alerts {
  showError(message: string, key?: string): void;
  clearError(key?: string): void;
  notify(message: string): void;
}

export const AlertsContext = createContext<Alerts>({
  showError: () => undefined,
  clearError: () => undefined,
  notify: () => undefined,
});

export function useAlerts(): Alerts {
  return useContext(AlertsContext);
}

/**
 * Shows an error thrown by an API call, except an abort (the caller went away) and a 401
 * (the app already went back to sign-in and says so).
 */
export function reportError(alerts: Alerts, error: unknown, key = 'general'): void {
  if (isAbort(error)) return;
  if (error instanceof ApiError && error.status === 401) return;
  alerts.showError(errorMessage(error), key);
}
