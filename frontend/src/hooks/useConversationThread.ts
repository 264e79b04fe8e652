// One open conversation: its detail (state, owner, 24-hour window) and its messages, polled
// every 1.5 s so delivery statuses and new customer messages show up live.
//
// The API lists messages oldest first, in pages with a cursor. The first read walks every page;
// after that each poll re-reads only from the start of the last two pages (where new messages
// and fresh statuses are), so a long thread costs one or two requests per poll.

import { useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { reportError, useAlerts } from '../lib/alerts';
import type { Attachment, Conversation, ConversationDetail, Message } from '../types';
import { POLL_INTERVAL_MS, usePolling } from './usePolling';

const MESSAGE_PAGE_SIZE = 100;
/** Pages read by one poll at most; a longer thread is read over the next polls. */
const MAX_PAGES_PER_POLL = 20;
/** The API signs media URLs for 300 s; a URL is reused (the browser keeps what it loaded) until this age. */
const SIGNED_URL_REUSE_MS = 200_000;

interface Pages {
  /** The cursor each page was read from (null: the start). */
  cursors: (string | null)[];
  pages: Message[][];
}

const NO_PAGES: Pages = { cursors: [], pages: [] };

async function readPages(id: string, known: Pages, signal: AbortSignal): Promise<Pages> {
  const from = Math.max(0, known.pages.length - 2);
  const cursors = known.cursors.slice(0, from);
  const pages = known.pages.slice(0, from);
  let cursor: string | null = known.cursors[from] ?? null;
  for (let read = 0; read < MAX_PAGES_PER_POLL; read += 1) {
    const page = await api.listMessages(id, { cursor, limit: MESSAGE_PAGE_SIZE, signal });
    if (page.items.length) {
      cursors.push(cursor);
      pages.push(page.items);
    }
    if (!page.next_cursor || !page.items.length) break;
    cursor = page.next_cursor;
  }
  return { cursors, pages };
}

/**
 * Every poll returns new signed URLs for the same media. Keeping the first one while it is
 * valid means an image is not fetched again (nor flickers) every 1.5 s.
 */
function stableUrls(cache: Map<string, { url: string; at: number }>, messages: Message[]): Message[] {
  const now = Date.now();
  return messages.map((message) => {
    if (!message.attachments?.length) return message;
    const attachments = message.attachments.map((attachment): Attachment => {
      const cached = cache.get(attachment.key);
      if (cached && now - cached.at < SIGNED_URL_REUSE_MS) return { ...attachment, url: cached.url };
      cache.set(attachment.key, { url: attachment.url, at: now });
      return attachment;
    });
    return { ...message, attachments };
  });
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
  /** Reads the whole thread again (fresh media URLs for old messages). */
  reload(): void;
}

/** Use with `key={conversationId}` on the component so another conversation starts afresh. */
export function useConversationThread(conversationId: string): ConversationThread {
  const alerts = useAlerts();
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [polled, setPolled] = useState<Message[]>([]);
  const [sent, setSent] = useState<Message[]>([]);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const stopped = useRef(false);
  const pagesRef = useRef<Pages>(NO_PAGES);
  const signature = useRef('');
  const urlCache = useRef(new Map<string, { url: string; at: number }>());
  const errorKey = `thread:${conversationId}`;

  const refresh = usePolling(
    async (signal) => {
      if (stopped.current) return;
      try {
        const [nextDetail, nextPages] = await Promise.all([
          api.getConversation(conversationId, signal),
          readPages(conversationId, pagesRef.current, signal),
        ]);
        if (signal.aborted) return;
        pagesRef.current = nextPages;
        setDetail((current) => keepNewer(current, nextDetail));
        const nextMessages = stableUrls(urlCache.current, nextPages.pages.flat());
        const nextSignature = JSON.stringify(nextMessages);
        if (nextSignature !== signature.current) {
          signature.current = nextSignature;
          setPolled(nextMessages);
        }
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
    reload() {
      pagesRef.current = NO_PAGES;
      urlCache.current.clear();
      refresh();
    },
  };
}

/** A poll that started before an action may answer after it: never go back to an older version. */
function keepNewer(current: ConversationDetail | null, next: ConversationDetail): ConversationDetail {
  if (current && next.conversation.version < current.conversation.version) {
    return { ...next, conversation: current.conversation };
  }
  return next;
}
