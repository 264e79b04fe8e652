// The queue's clocks as the lists show them: how long a customer has waited for an answer, whether
// we wait for the customer, and whether the owner has read the customer's latest message (the API's
// `waiting_since`, `awaiting_customer_since`, `unread`; docs/data-model.md, "The queue's clocks").

import type { Conversation } from '../types';
import { t } from './i18n';

const MINUTE = 60_000;

/** "<1 min", "12 min", "3 h 5 min", "2 d 4 h": the time since `iso` (empty when unknown). */
export function elapsed(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const start = new Date(iso).getTime();
  if (Number.isNaN(start)) return '';
  const minutes = Math.floor(Math.max(0, now - start) / MINUTE);
  if (minutes < 1) return t('duration.under_a_minute');
  if (minutes < 60) return t('duration.minutes', { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('duration.hours', { hours, minutes: minutes % 60 });
  return t('duration.days', { days: Math.floor(hours / 24), hours: hours % 24 });
}

type Clocks = Pick<Conversation, 'state' | 'waiting_since' | 'awaiting_customer_since'>;

/** The customer of an open conversation waits for an answer (since `waiting_since`). */
export function customerWaits(conversation: Clocks): boolean {
  return conversation.state !== 'archived' && !!conversation.waiting_since;
}

/** We wait for the customer: an agent answered last ("Waiting for customer"). */
export function waitingForCustomer(conversation: Clocks): boolean {
  return conversation.state !== 'archived' && !conversation.waiting_since && !!conversation.awaiting_customer_since;
}

/** A customer who waits longer than this is shown as waiting long (the row's wait turns red). */
export const LONG_WAIT_MINUTES = 60;

export function waitsLong(conversation: Clocks, now: number = Date.now()): boolean {
  if (!customerWaits(conversation) || !conversation.waiting_since) return false;
  return now - new Date(conversation.waiting_since).getTime() >= LONG_WAIT_MINUTES * MINUTE;
}
