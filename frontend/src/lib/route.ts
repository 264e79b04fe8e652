// The place in the app, kept in the URL hash so a reload keeps it and the same static files
// work wherever they are served:
//   #/new, #/mine/<conversation id>, #/assigned, #/all   the inbox tabs (and the open conversation)
//   #/settings/<section>                                 a settings page (see SETTINGS_SECTIONS)
//   #/statistics                                         the statistics (administrators, watchers)
//   #/customers, #/customers/<customer id>               the customer list and search, one customer's page
//   #/help                                               how the inbox works

import { useEffect, useState } from 'preact/hooks';
import type { InboxView } from '../types';
import { type MessageKey, t } from './i18n';

export interface InboxRoute {
  page: 'inbox';
  view: InboxView;
  conversationId: string | null;
}

export interface SettingsRoute {
  page: 'settings';
  section: string;
}

export interface StatisticsRoute {
  page: 'statistics';
}

/** The customers: the list and search (`customerId` null) or one customer's page. */
export interface CustomersRoute {
  page: 'customers';
  customerId: string | null;
}

export interface HelpRoute {
  page: 'help';
}

export type Route = InboxRoute | SettingsRoute | StatisticsRoute | CustomersRoute | HelpRoute;

export const VIEWS: readonly InboxView[] = ['new', 'mine', 'assigned', 'all'];

/**
 * Who sees a settings page (the seed's role table): `everyone`; `readers` are administrators
 * (who change them) and watchers (who read them). Agents have no access to the administration.
 */
export type SectionAccess = 'everyone' | 'readers';

/** The settings pages, in the seed's menu order. */
function section(id: string, key: MessageKey, access: SectionAccess): { id: string; readonly label: string; access: SectionAccess } {
  return {
    id,
    access,
    get label() {
      return t(key);
    },
  };
}

export const SETTINGS_SECTIONS: readonly { id: string; readonly label: string; access: SectionAccess }[] = [
  section('profile', 'section.profile', 'everyone'),
  section('service', 'section.service', 'readers'),
  section('office-hours', 'section.office_hours', 'readers'),
  section('out-of-office', 'section.out_of_office', 'readers'),
  section('channels', 'section.channels', 'readers'),
  section('templates', 'section.templates', 'readers'),
  section('notifications', 'section.notifications', 'everyone'),
  section('quick-replies', 'section.quick_replies', 'everyone'),
  section('user-roles', 'section.user_roles', 'readers'),
  section('tags', 'section.tags', 'everyone'),
  section('teams', 'section.teams', 'readers'),
  section('team-now', 'section.team_now', 'readers'),
  section('routing', 'section.routing', 'readers'),
  section('appearance', 'section.appearance', 'everyone'),
  section('shortcuts', 'section.shortcuts', 'everyone'),
];

export const DEFAULT_SETTINGS_SECTION = 'profile';

/** The settings pages this role sees. */
export function sectionsFor(role: string): typeof SETTINGS_SECTIONS {
  const reader = role === 'administrator' || role === 'watcher' || role === 'supervisor';
  return SETTINGS_SECTIONS.filter((section) => section.access === 'everyone' || reader);
}

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
  if (first === 'statistics') return { page: 'statistics' };
  if (first === 'help') return { page: 'help' };
  if (first === 'customers') return { page: 'customers', customerId: decode(second) };
  const view = VIEWS.find((candidate) => candidate === first);
  return { page: 'inbox', view: view ?? 'new', conversationId: view ? decode(second) : null };
}

export function formatHash(route: Route): string {
  if (route.page === 'settings') return `#/settings/${route.section}`;
  if (route.page === 'statistics') return '#/statistics';
  if (route.page === 'help') return '#/help';
  if (route.page === 'customers') {
    return route.customerId ? `#/customers/${encodeURIComponent(route.customerId)}` : '#/customers';
  }
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
