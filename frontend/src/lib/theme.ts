// Light or dark: the system's choice unless the agent picked one (stored in this browser).
// The choice is an attribute on <html>; styles.css holds both sets of colours.

import { useEffect, useState } from 'preact/hooks';
import { type ThemeChoice, themePref } from './prefs';

const darkQuery = (): MediaQueryList | null =>
  typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

export function applyTheme(choice: ThemeChoice = themePref.get()): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
}

/** Applies the stored choice now (before the first render, so there is no flash) and on changes. */
export function startTheme(): void {
  applyTheme();
  themePref.subscribe(() => applyTheme());
}

/** Whether the page shows dark colours now (follows the system while the choice is "system"). */
export function useIsDark(choice: ThemeChoice): boolean {
  const [systemDark, setSystemDark] = useState(() => darkQuery()?.matches ?? false);
  useEffect(() => {
    const query = darkQuery();
    if (!query) return undefined;
    const onChange = (): void => setSystemDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return choice === 'system' ? systemDark : choice === 'dark';
}
