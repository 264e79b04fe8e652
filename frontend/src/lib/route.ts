// The place in the app, kept in the URL hash so a reload keeps it and the same static files
// work wherever they are served:
//   #/new, #/mine/<conversation id>, #/assigned, #/all   the inbox tabs (and the open conversation)
//   #/settings/<section>                                 a settings page (see SETTINGS_SECTIONS)

import { useEffect, useState } from 'preact/hooks';
import type { InboxView } from '../types';

export interface InboxRoute {
  page: 'inbox';
  view: InboxView;
  conversationId: string | null;
}

export interface SettingsRoute {
  page: 'settings';
  section: string;
}

export type Route = InboxRoute | SettingsRoute;

export const VIEWS: readonly InboxView[] = ['new', 'mine', 'assigned', 'all'];

/**
 * The settings pages, in menu order. The administration pages (users, roles, teams, routing,
 * office hours, quick replies, tags, profile) join this list when their API exists.
 */
export const SETTINGS_SECTIONS = [
  { id: 'notifications', label: 'Notifications' },
  { id: 'appearance', label: 'Appearance' },
  { id: 'shortcuts', label: 'Shortcuts' },
] as const;

export const DEFAULT_SETTINGS_SECTION = 'notifications';

function decode(part: string | undefined): string | null {
  if (!part) return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function parseHash(hash: string): Route {
  const [first, second] = hash.replace(/^#\/?/, '').split('/');
  if (first === 'settings') {
    const section = SETTINGS_SECTIONS.find((candidate) => candidate.id === second);
    return { page: 'settings', section: section?.id ?? DEFAULT_SETTINGS_SECTION };
  }
  const view = VIEWS.find((candidate) => candidate === first);
  return { page: 'inbox', view: view ?? 'new', conversationId: view ? decode(second) : null };
}

export function formatHash(route: Route): string {
  if (route.page === 'settings') return `#/settings/${route.section}`;
  return route.conversationId
    ? `#/${route.view}/${encodeURIComponent(route.conversationId)}`
    : `#/${route.view}`;
}

export function navigate(route: Route): void {
  const hash = formatHash(route);
  if (window.location.hash !== hash) window.location.hash = hash;
}

export function inboxRoute(view: InboxView, conversationId: string | null = null): InboxRoute {
  return { page: 'inbox', view, conversationId };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
