// One open conversation: its detail (state, owner, 24-hour window) and its messages, polled
// every 1.5 s so delivery statuses and new customer messages show up live.
//
// The thread is read newest first (`order=desc`): opening a conversation reads one page, its
// end, whatever the thread's length; older pages are read when the agent scrolls up
// (`loadOlder`). Each poll reads the newest page again (fresh statuses, new messages) and goes
// further back only until it meets a message already shown.

import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { reportError, useAlerts } from '../lib/alerts';
import type { Attachment, Conversation, ConversationDetail, Message } from '../types';
import { POLL_INTERVAL_MS, usePolling } from './usePolling';

/** Messages read when the conversation opens, and per older page. */
export const THREAD_PAGE_SIZE = 50;
/** Messages a poll reads: the newest, where new messages and fresh statuses are. */
const POLL_PAGE_SIZE = 25;
/** Pages one poll reads at most; beyond that it starts afresh from the newest page. */
const MAX_PAGES_PER_POLL = 10;
/** The API signs media URLs for 300 s; a URL is reused (the browser keeps what it loaded) until this age. */
const SIGNED_URL_REUSE_MS = 200_000;

interface Loaded {
  byId: Map<string, Message>;
  /** The cursor of the next older page; null once the first message is in; undefined before the first read. */
  older: string | null | undefined;
  /** Pages of THREAD_PAGE_SIZE read so far, so a reload reads as far back again. */
  pages: number;
}

const NOTHING: Loaded = { byId: new Map(), older: undefined, pages: 1 };

/** The newest `pages` pages: what opening (or reloading) the conversation shows. */
async function readEnd(id: string, pages: number, signal: AbortSignal): Promise<Loaded> {
  const byId = new Map<string, Message>();
  let cursor: string | null = null;
  let read = 0;
  do {
    const page = await api.listMessages(id, { order: 'desc', limit: THREAD_PAGE_SIZE, cursor, signal });
    for (const message of page.items) byId.set(message.id, message);
    cursor = page.next_cursor;
    read += 1;
  } while (cursor && read < Math.min(pages, MAX_PAGES_PER_POLL));
  return { byId, older: cursor, pages: read };
}

/** The newest messages back to the first one already shown; null when there are too many (read afresh). */
async function readNew(id: string, known: Loaded, signal: AbortSignal): Promise<Message[] | null> {
  const fresh: Message[] = [];
  let cursor: string | null = null;
  for (let read = 0; read < MAX_PAGES_PER_POLL; read += 1) {
    const page = await api.listMessages(id, { order: 'desc', limit: POLL_PAGE_SIZE, cursor, signal });
    fresh.push(...page.items);
    if (!page.next_cursor || page.items.some((message) => known.byId.has(message.id))) return fresh;
    cursor = page.next_cursor;
  }
  return null;
}

function merged(known: Loaded, messages: Message[]): Loaded {
  const byId = new Map(known.byId);
  for (const message of messages) byId.set(message.id, message);
  return { ...known, byId };
}

/** Oldest first: message ids start with the send time in milliseconds. */
function inOrder(loaded: Loaded): Message[] {
  return [...loaded.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
  /** Older messages remain to be read (`loadOlder`). */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Reads the page before the oldest message shown. */
  loadOlder(): void;
  /** Set when the conversation cannot be shown at all (not found, forbidden). */
  unavailable: string | null;
  /** Puts a conversation returned by an action (pick up) in place, then polls again. */
  applyConversation(conversation: Conversation): void;
  /** Shows a message just sent (202) until the poll returns it. */
  addSentMessage(message: Message): void;
  refresh(): void;
  /** Reads the thread again as far back as shown (fresh media URLs for old messages). */
  reload(): void;
}

/** Use with `key={conversationId}` on the component so another conversation starts afresh. */
export function useConversationThread(conversationId: string): ConversationThread {
  const alerts = useAlerts();
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [polled, setPolled] = useState<Message[]>([]);
  const [sent, setSent] = useState<Message[]>([]);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const stopped = useRef(false);
  const loadedRef = useRef<Loaded>(NOTHING);
  const olderBusy = useRef(false);
  const signature = useRef('');
  const urlCache = useRef(new Map<string, { url: string; at: number }>());
  const errorKey = `thread:${conversationId}`;

  /** Shows what `loadedRef` holds (only when it changed: a poll usually brings nothing new). */
  const publish = useCallback((loaded: Loaded): void => {
    loadedRef.current = loaded;
    setHasOlder(!!loaded.older);
    const nextMessages = stableUrls(urlCache.current, inOrder(loaded));
    const nextSignature = JSON.stringify(nextMessages);
    if (nextSignature !== signature.current) {
      signature.current = nextSignature;
      setPolled(nextMessages);
    }
    setSent((current) => {
      const left = current.filter((message) => !loaded.byId.has(message.id));
      return left.length === current.length ? current : left;
    });
  }, []);

  const refresh = usePolling(
    async (signal) => {
      if (stopped.current) return;
      try {
        const known = loadedRef.current;
        const [nextDetail, fresh] = await Promise.all([
          api.getConversation(conversationId, signal),
          known.older === undefined ? null : readNew(conversationId, known, signal),
        ]);
        const next = fresh ? merged(loadedRef.current, fresh) : await readEnd(conversationId, known.pages, signal);
        if (signal.aborted) return;
        setDetail((current) => keepNewer(current, nextDetail));
        publish(next);
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

  const loadOlder = useCallback((): void => {
    const known = loadedRef.current;
    if (!known.older || olderBusy.current || stopped.current) return;
    olderBusy.current = true;
    setLoadingOlder(true);
    api.listMessages(conversationId, { order: 'desc', limit: THREAD_PAGE_SIZE, cursor: known.older }).then(
      (page) => {
        const current = loadedRef.current;
        if (current.older !== known.older) return; // reloaded meanwhile
        publish({ ...merged(current, page.items), older: page.next_cursor, pages: current.pages + 1 });
      },
      (error: unknown) => reportError(alerts, error, errorKey),
    ).finally(() => {
      olderBusy.current = false;
      setLoadingOlder(false);
    });
  }, [conversationId]);

  const messages = useMemo(() => {
    if (!sent.length) return polled;
    const ids = new Set(polled.map((message) => message.id));
    return [...polled, ...sent.filter((message) => !ids.has(message.id))];
  }, [polled, sent]);

  return {
    detail,
    messages,
    hasOlder,
    loadingOlder,
    loadOlder,
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
      // as far back as the agent had scrolled, with fresh media URLs
      loadedRef.current = { ...NOTHING, pages: loadedRef.current.pages };
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
