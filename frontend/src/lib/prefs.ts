// Settings kept in this browser (localStorage): the chosen team, theme, notifications switch,
// sort order of each tab, the customer panel. Each preference can be watched, so a change made
// in one place (or in another tab of the same browser) shows everywhere at once.

import { useEffect, useState } from 'preact/hooks';

export interface Pref<T> {
  get(): T;
  set(value: T): void;
  subscribe(listener: () => void): () => void;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: preferences last until reload
  }
}

const created = new Map<string, Pref<unknown>>();

/**
 * A preference stored under `inbox.<key>`; `parse` turns the stored text back into a value
 * (undefined for anything it does not recognise, which then reads as `fallback`).
 */
export function pref<T>(
  key: string,
  fallback: T,
  parse: (raw: string) => T | undefined,
  format: (value: T) => string = String,
): Pref<T> {
  const storageKey = `inbox.${key}`;
  const existing = created.get(storageKey);
  if (existing) return existing as Pref<T>;

  const listeners = new Set<() => void>();
  let memory: T | undefined;
  const notify = (): void => listeners.forEach((listener) => listener());

  const result: Pref<T> = {
    get() {
      const raw = storage()?.getItem(storageKey);
      if (raw === null || raw === undefined) return memory ?? fallback;
      return parse(raw) ?? fallback;
    },
    set(value) {
      memory = value;
      try {
        storage()?.setItem(storageKey, format(value));
      } catch {
        // quota or privacy mode: keep the value in memory
      }
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  window.addEventListener('storage', (event) => {
    if (event.key === storageKey) notify();
  });
  created.set(storageKey, result as Pref<unknown>);
  return result;
}

export function oneOf<T extends string>(values: readonly T[]): (raw: string) => T | undefined {
  return (raw) => values.find((value) => value === raw);
}

export const asBoolean = (raw: string): boolean | undefined =>
  raw === 'true' ? true : raw === 'false' ? false : undefined;

/** The preference's value, re-rendering when it changes. */
export function usePref<T>(p: Pref<T>): [T, (value: T) => void] {
  const [value, setValue] = useState(() => p.get());
  useEffect(() => {
    setValue(p.get());
    return p.subscribe(() => setValue(p.get()));
  }, [p]);
  return [value, p.set];
}

// --- the app's preferences ---------------------------------------------------------------

export type ThemeChoice = 'system' | 'light' | 'dark';
export const themePref = pref<ThemeChoice>('theme', 'system', oneOf(['system', 'light', 'dark']));

/** Desktop notifications on new conversations and messages (the browser must allow them too). */
export const notificationsPref = pref<boolean>('notifications', false, asBoolean);

/** The customer panel next to the conversation (Alt+I). */
export const infoPanelPref = pref<boolean>('info-panel', false, asBoolean);

/** The team a user last worked in, in this browser. */
export function teamPref(userId: string): Pref<string | null> {
  return pref<string | null>(`team.${userId}`, null, (raw) => raw || undefined, (value) => value ?? '');
}

/** The first-run guide to the inbox's tabs was dismissed by this user (the profile shows it again). */
export function guideDismissedPref(userId: string): Pref<boolean> {
  return pref<boolean>(`guide-dismissed.${userId}`, false, asBoolean);
}
