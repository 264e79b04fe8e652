// Which conversations got something new from the customer between two reads of the inbox:
// a conversation not seen before, or a later customer message in one seen before. Times come
// from the server, so the agent's clock does not matter.

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
  private primed = false;
  /** The latest customer message of the first read: older conversations are not arrivals. */
  private baseline: number | null = null;

  /** Feeds one read of the inbox; returns what arrived since the previous read (none on the first). */
  update(conversations: readonly Conversation[]): Arrival[] {
    const arrivals: Arrival[] = [];
    for (const conversation of conversations) {
      const at = millis(conversation.last_customer_message_at);
      const preview = customerPreview(conversation);
      const before = this.seen.get(conversation.id);
      this.seen.set(conversation.id, { at, preview });
      if (!this.primed || at === null) continue;
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
    if (!this.primed) {
      this.primed = true;
      for (const conversation of conversations) {
        const at = millis(conversation.last_customer_message_at);
        if (at !== null && (this.baseline === null || at > this.baseline)) this.baseline = at;
      }
    }
    return arrivals;
  }
}
