// Customer search as the Customers screen and the start-conversation wizard ask it
// (GET /customers): exact ('Maria'), prefix ('Ma%') or the Like operator with '%' anywhere
// ('%ria', '%ari%'); a phone number in any format, a national one read in the browser's country.
// A Like page reads a bounded part of the index, so it may hold fewer customers than asked and
// still have a cursor: `searchCustomers` reads on (a few pages at most) until it has some.

import { query, request } from '../api';
import type { Api, Page } from '../types';

export type SearchField = 'name' | 'phone' | 'email' | 'channel_id';
export type CustomerSummary = Api.CustomerSummary;

/** Pages read at most for one call when they come back empty with a cursor. */
const MAX_ROUNDS = 4;

/** The field a typed term most likely means: an email address, a phone number, else a name. */
export function guessField(term: string): SearchField {
  const text = term.trim();
  if (text.includes('@')) return 'email';
  const digits = text.replace(/\D/g, '').length;
  if (digits >= 3 && /^[\s\d+()./%-]+$/.test(text.replace(/^tel:/, ''))) return 'phone';
  return 'name';
}

/** The country of a nationally written phone number: the browser's region ('nl-NL' -> NL), if any. */
export function browserRegion(): string | undefined {
  const languages = typeof navigator === 'undefined' ? [] : navigator.languages;
  for (const tag of languages) {
    const region = tag.split('-')[1];
    if (region && /^[A-Za-z]{2}$/.test(region)) return region.toUpperCase();
  }
  return undefined;
}

export interface SearchResult {
  items: CustomerSummary[];
  cursor: string | null;
}

/** One page of customers (repeats of earlier pages left out), reading on past empty Like pages. */
export async function searchCustomers(
  field: SearchField,
  q: string,
  options: { cursor?: string | null; limit?: number; seen?: ReadonlySet<string>; signal?: AbortSignal } = {},
): Promise<SearchResult> {
  const { limit = 25, seen = new Set<string>(), signal } = options;
  let cursor = options.cursor ?? null;
  const items: CustomerSummary[] = [];
  const taken = new Set(seen);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const params = { field, q, limit, cursor, region: field === 'phone' ? browserRegion() : undefined };
    const page: Page<CustomerSummary> = await request('GET', `/customers${query(params)}`, { signal });
    for (const item of page.items) {
      if (taken.has(item.id)) continue;
      taken.add(item.id);
      items.push(item);
    }
    cursor = page.next_cursor;
    if (items.length > 0 || !cursor) break;
  }
  return { items, cursor };
}
