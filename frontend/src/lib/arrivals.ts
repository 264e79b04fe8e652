// Which conversations got something new from the customer between two reads of the inbox (or
// the rows pushed notices carry): a conversation not seen before, or a later customer message in
// one seen before. Times come from the server, so the agent's clock does not matter, and they only
// move forward: a row older than one seen (a notice overtaken by a later one) changes nothing.

import type { Conversation } from '../types';

export interface Arrival {
  conversation: Conversation;
  /** A conversation the watcher had not seen before (otherwise: a new message in it). */
  isNew: boolean;
}

interface Seen {
  /** The customer's latest message, in milliseconds (null: none yet). */
  at: number | null;
  /** The preview when the customer's message was the latest one (two messages in one second). */
  preview: string | null;
}

function millis(iso: string | null): number | null {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? null : value;
}

function customerPreview(conversation: Conversation): string | null {
  const at = conversation.last_customer_message_at;
  return at && at === conversation.last_message_at ? conversation.preview : null;
}

export class ArrivalTracker {
  private readonly seen = new Map<string, Seen>();
  private isPrimed = false;
  /** The latest customer message of the first read: older conversations are not arrivals. */
  private baseline: number | null = null;

  /** Whether a first read has set what counts as already there (rows alone cannot). */
  get primed(): boolean {
    return this.isPrimed;
  }

  /**
   * Feeds one read of the inbox, or rows a notice carried once primed; returns what arrived since
   * (none on the first read).
   */
  update(conversations: readonly Conversation[]): Arrival[] {
    const arrivals: Arrival[] = [];
    for (const conversation of conversations) {
      const at = millis(conversation.last_customer_message_at);
      const preview = customerPreview(conversation);
      const before = this.seen.get(conversation.id);
      if (before && before.at !== null && (at === null || at < before.at)) continue;
      this.seen.set(conversation.id, { at, preview });
      if (!this.isPrimed || at === null) continue;
      if (!before) {
        if (this.baseline === null || at > this.baseline) arrivals.push({ conversation, isNew: true });
      } else if (
        before.at === null ||
        at > before.at ||
        (at === before.at && preview !== null && preview !== before.preview)
      ) {
        arrivals.push({ conversation, isNew: false });
      }
    }
    if (!this.isPrimed) {
      this.isPrimed = true;
      for (const conversation of conversations) {
        const at = millis(conversation.last_customer_message_at);
        if (at !== null && (this.baseline === null || at > this.baseline)) this.baseline = at;
      }
    }
    return arrivals;
  }
}
