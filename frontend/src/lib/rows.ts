// A list tab puts the rows that notices carry (the conversation as a change left it) in place
// itself when it can tell where they go, instead of reading its first page again: with many agents,
// every tab on New or All read its list for every message of the team. It can tell when the list
// is in one of the server's orders (by creation or by last message, the same keys as the API's
// indexes: the time in milliseconds, then the id), is not narrowed by filters, and holds everything
// up to where the row goes (a row that sorts past the last conversation loaded while more pages
// exist is not the tab's to show). Otherwise, and for notices without a row, the tab reads.
//
// Notices may arrive out of order: a row older than one the tab has seen (a lower version, or the
// same version with an earlier last message) changes nothing. A read that started before a row
// arrived may answer after it with the conversation as it was; the rows that arrived while a read
// was on its way are put in place again on its answer (`RecentRows`).

import type { Conversation, InboxView, SortField, SortOrder } from '../types';
import { showsIn } from './push';

export interface ListPlace {
  view: InboxView;
  me: string;
  sort: SortField;
  order: SortOrder;
  /** Whether the list holds every conversation after its last one too (no further page). */
  complete: boolean;
}

function millis(iso: string): number {
  const value = Date.parse(iso);
  return Number.isNaN(value) ? 0 : value;
}

/** The list's order between two conversations (negative: `a` first), as the API sorts them. */
function compare(a: Conversation, b: Conversation, sort: 'created' | 'activity', order: SortOrder): number {
  const at = (row: Conversation): number => millis(sort === 'created' ? row.created_at : row.last_message_at);
  const byKey = at(a) - at(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return order === 'asc' ? byKey : -byKey;
}

/** Whether `row` is older than `known` (a notice overtaken by a later change of the conversation). */
export function isOlder(row: Conversation, known: Conversation): boolean {
  if (row.version !== known.version) return row.version < known.version;
  return millis(row.last_message_at) < millis(known.last_message_at);
}

/**
 * The list with `row` put where it belongs (or taken out), null when nothing changes, or 'read'
 * when the list cannot tell (a sort by waiting time).
 */
export function placeRow(list: readonly Conversation[], row: Conversation, place: ListPlace): Conversation[] | null | 'read' {
  const { sort } = place;
  if (sort !== 'created' && sort !== 'activity') return 'read';
  const index = list.findIndex((conversation) => conversation.id === row.id);
  const shown = index >= 0 ? list[index] : undefined;
  if (shown && isOlder(row, shown)) return null;
  const rest = index >= 0 ? [...list.slice(0, index), ...list.slice(index + 1)] : [...list];
  if (!showsIn(place.view, row.state, row.owner_id, place.me)) return index >= 0 ? rest : null;
  const at = rest.findIndex((conversation) => compare(row, conversation, sort, place.order) < 0);
  if (at < 0 && !place.complete) return index >= 0 ? rest : null; // it sorts past what is loaded
  rest.splice(at < 0 ? rest.length : at, 0, row);
  return rest;
}

/** How long a row is kept for the reads on their way when it arrived: longer than any read takes. */
export const RECENT_ROWS_MS = 60_000;

/** The newest row the tab has been sent of each conversation, for the last minute, with when. */
export class RecentRows {
  private readonly rows = new Map<string, { row: Conversation; at: number }>();

  /**
   * Keeps `row` unless it is older than the one known; returns whether it is news. (A row as old
   * as the known one is news: two messages of one second, as providers stamp them, differ only
   * in their preview.)
   */
  remember(row: Conversation, now: number = Date.now()): boolean {
    this.forget(now);
    const known = this.rows.get(row.id);
    if (known && isOlder(row, known.row)) return false;
    this.rows.set(row.id, { row, at: now });
    return true;
  }

  /**
   * The answer of a read that started at `since` with the rows that arrived after that and are
   * newer than its copies put in place (a row that came before the read started is in its answer
   * already, or is no longer true: a change that sent no row, such as a hand-back, moved it since).
   */
  reconcile(list: readonly Conversation[], place: ListPlace, since: number, now: number = Date.now()): readonly Conversation[] {
    this.forget(now);
    let result: readonly Conversation[] = list;
    for (const { row, at } of this.rows.values()) {
      if (at < since) continue;
      const copy = result.find((conversation) => conversation.id === row.id);
      if (copy && isOlder(row, copy)) continue;
      const placed = placeRow(result, row, place);
      if (Array.isArray(placed)) result = placed;
    }
    return result;
  }

  private forget(now: number): void {
    for (const [id, { at }] of this.rows) if (now - at > RECENT_ROWS_MS) this.rows.delete(id);
  }
}
