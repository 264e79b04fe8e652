import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../api';
import { reportError, useAlerts } from '../../lib/alerts';
import type { Me } from '../../types';
import { t } from '../../lib/i18n';

export interface SectionProps {
  me: Me;
  /** Administrators change settings; watchers (and agents, on the pages they see) read them. */
  canEdit: boolean;
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload(): void;
  set(value: T): void;
}

/** Reads something for a settings page, again on `reload()`. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
      },
      (caught: unknown) => live && setError(errorMessage(caught)),
    );
    return () => {
      live = false;
    };
  }, [tick, ...deps]);
  return { data, error, reload: useCallback(() => setTick((value) => value + 1), []), set: setData };
}

/** Runs a change, shows its error in the alert region or its notice in the status line. */
export function useAction(): [boolean, (change: () => Promise<unknown>, notice?: string) => Promise<boolean>] {
  const alerts = useAlerts();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (change: () => Promise<unknown>, notice?: string): Promise<boolean> => {
      setBusy(true);
      try {
        await change();
        alerts.clearError();
        if (notice) alerts.notify(notice);
        return true;
      } catch (error) {
        reportError(alerts, error);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [alerts],
  );
  return [busy, run];
}

export function ReadOnlyNote({ canEdit }: { canEdit: boolean }) {
  if (canEdit) return null;
  return (
    <p class="banner" data-testid="read-only">
      {t('common.read_only')}
    </p>
  );
}

/** Loading, or the error of the read, or the page. */
export function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.error) {
    return (
      <p class="dialog__error" role="alert">
        {loaded.error}
      </p>
    );
  }
  if (loaded.data === null) return <p class="muted">{t('common.loading')}</p>;
  return <>{children(loaded.data)}</>;
}

/** Time zones the browser knows, for a datalist. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

export function TimeZoneList({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {timeZones().map((zone) => (
        <option key={zone} value={zone} />
      ))}
    </datalist>
  );
}
