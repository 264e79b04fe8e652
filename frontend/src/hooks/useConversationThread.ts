// One open conversation: its detail (state, owner, 24-hour window) and its messages, polled
// every 2 s so delivery statuses and new customer messages show up live.

import { useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { reportError, useAlerts } from '../lib/alerts';
import type { Conversation, ConversationDetail, Message } from '../types';
import { POLL_INTERVAL_MS } from './useConversationList';
import { usePolling } from './usePolling';

/** Pages of 100 messages read per poll at most (the API lists the oldest first). */
const MAX_MESSAGE_PAGES = 5;

async function fetchMessages(id: string, signal: AbortSignal): Promise<Message[]> {
  const all: Message[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_MESSAGE_PAGES; page += 1) {
    const result = await api.listMessages(id, { cursor, signal });
    all.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return all;
}

export interface ConversationThread {
  detail: ConversationDetail | null;
  messages: Message[];
  /** Set when the conversation cannot be shown at all (not found, forbidden). */
  unavailable: string | null;
  /** Puts a conversation returned by an action (pick up) in place, then polls again. */
  applyConversation(conversation: Conversation): void;
  /** Shows a message just sent (202) until the poll returns it. */
  addSentMessage(message: Message): void;
  refresh(): void;
}

/** Use with `key={conversationId}` on the component so another conversation starts afresh. */
export function useConversationThread(conversationId: string): ConversationThread {
  const alerts = useAlerts();
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [polled, setPolled] = useState<Message[]>([]);
  const [sent, setSent] = useState<Message[]>([]);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const stopped = useRef(false);
  const errorKey = `thread:${conversationId}`;

  const refresh = usePolling(
    async (signal) => {
      if (stopped.current) return;
      try {
        const [nextDetail, nextMessages] = await Promise.all([
          api.getConversation(conversationId, signal),
          fetchMessages(conversationId, signal),
        ]);
        if (signal.aborted) return;
        setDetail((current) => keepNewer(current, nextDetail));
        setPolled(nextMessages);
        const polledIds = new Set(nextMessages.map((message) => message.id));
        setSent((current) => {
          const left = current.filter((message) => !polledIds.has(message.id));
          return left.length === current.length ? current : left;
        });
        alerts.clearError(errorKey);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
          stopped.current = true;
          setUnavailable(error.message);
        }
        reportError(alerts, error, errorKey);
      }
    },
    POLL_INTERVAL_MS,
    [conversationId],
  );

  const messages = useMemo(() => {
    if (!sent.length) return polled;
    const ids = new Set(polled.map((message) => message.id));
    return [...polled, ...sent.filter((message) => !ids.has(message.id))];
  }, [polled, sent]);

  return {
    detail,
    messages,
    unavailable,
    applyConversation(conversation) {
      setDetail((current) =>
        current ? keepNewer(current, { ...current, conversation }) : current,
      );
      refresh();
    },
    addSentMessage(message) {
      setSent((current) => [...current, message]);
      refresh();
    },
    refresh,
  };
}

/** A poll that started before an action may answer after it: never go back to an older version. */
function keepNewer(current: ConversationDetail | null, next: ConversationDetail): ConversationDetail {
  if (current && next.conversation.version < current.conversation.version) {
    return { ...next, conversation: current.conversation };
  }
  return next;
}
