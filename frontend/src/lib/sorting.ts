// The sort choices of the conversation list (the API's `sort` and `order` parameters), kept
// per tab in this browser. New shows the oldest first by default (they have waited longest),
// the other tabs the latest first, as the API does when no order is given.

import type { InboxView, SortField, SortOrder } from '../types';
import { t } from './i18n';
import { type Pref, pref } from './prefs';

export interface SortChoice {
  sort: SortField;
  order: SortOrder;
}

export const SORT_OPTIONS: readonly { value: string; label: string }[] = [
  {
    value: 'created:asc',
    get label() {
      return t('sort.created_asc');
    },
  },
  {
    value: 'created:desc',
    get label() {
      return t('sort.created_desc');
    },
  },
  {
    value: 'activity:asc',
    get label() {
      return t('sort.activity_asc');
    },
  },
  {
    value: 'activity:desc',
    get label() {
      return t('sort.activity_desc');
    },
  },
];

/** The open tabs (New, Assigned to me, Assigned) also sort by how long the customer has waited. */
export function sortOptions(view: InboxView): readonly { value: string; label: string }[] {
  if (view === 'all') return SORT_OPTIONS;
  return [{ value: 'waiting:asc', label: t('sort.waiting') }, ...SORT_OPTIONS];
}

export function parseSort(raw: string): SortChoice | undefined {
  const [sort, order] = raw.split(':');
  if ((sort === 'created' || sort === 'activity' || sort === 'waiting') && (order === 'asc' || order === 'desc')) {
    return { sort, order };
  }
  return undefined;
}

export function formatSort(choice: SortChoice): string {
  return `${choice.sort}:${choice.order}`;
}

export function sortPref(view: InboxView): Pref<SortChoice> {
  const fallback: SortChoice = { sort: 'created', order: view === 'new' ? 'asc' : 'desc' };
  // Waiting time sorts open tabs only: the All tab never keeps it.
  const parse = (raw: string): SortChoice | undefined => {
    const choice = parseSort(raw);
    return view === 'all' && choice?.sort === 'waiting' ? undefined : choice;
  };
  return pref<SortChoice>(`sort.${view}`, fallback, parse, formatSort);
}
