// One open conversation: its detail (state, owner, 24-hour window) and its messages, read again on
// each pushed notice about it (a message, a status, an assignment, tags, a note) and by the safety
// poll while the socket is down, so delivery statuses and new customer messages show up live.
//
// The thread is read newest first (`order=desc`): opening a conversation reads one page, its
// end, whatever the thread's length; older pages are read when the agent scrolls up
// (`loadOlder`). Each poll reads the newest page again (fresh statuses, new messages) and goes
// further back only until it meets a message already shown.
//
// Statuses of replies further up change too (a read receipt, a late failure). A status notice
// carries the new status (and the failure reason), and a tags notice the conversation's tags:
// both are put in place at once, wherever the message is, without a read. While the socket is
// down, every other safety poll also re-reads one older page in view: a sweep that
// walks back from the poll's page to the oldest reply whose status can still change, one page
// of 50 per sweep, then starts again at the newest. It reads nothing while every reply beyond
// the poll's page is settled (read, failed). A poll thus reads the detail, the newest page
// (more only when many messages arrived at once) and at most one sweep page.

import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { reportError, useAlerts } from '../lib/alerts';
import { STATUS_RANK, carriesChange, withStatuses } from '../lib/push';
import type { Attachment, Conversation, ConversationDetail, Message, MessageStatus, Page } from '../types';
import { useNotices, usePollInterval, usePush } from './usePush';
import { usePolling } from './usePolling';

/** Messages read when the conversation opens, and per older page. */
export const THREAD_PAGE_SIZE = 50;
/** Messages a poll reads: the newest, where new messages and fresh statuses are. */
const POLL_PAGE_SIZE = 25;
/** Pages one poll reads at most; beyond that it starts afresh from the newest page. */
const MAX_PAGES_PER_POLL = 10;
/** Every how many polls one older page in view is re-read for its statuses. */
const SWEEP_EVERY = 2;
/** Statuses that change no more (as far as the app cares): customer messages, read and failed replies. */
const SETTLED: ReadonlySet<MessageStatus> = new Set(['received', 'read', 'failed']);

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

interface Fresh {
  messages: Message[];
  /** The cursor after the newest page (where a sweep starts); null when that page is the whole thread. */
  after: string | null;
}

/** The newest messages back to the first one already shown; null when there are too many (read afresh). */
async function readNew(id: string, known: Loaded, signal: AbortSignal): Promise<Fresh | null> {
  const messages: Message[] = [];
  let cursor: string | null = null;
  let after: string | null = null;
  for (let read = 0; read < MAX_PAGES_PER_POLL; read += 1) {
    const page = await api.listMessages(id, { order: 'desc', limit: POLL_PAGE_SIZE, cursor, signal });
    messages.push(...page.items);
    if (read === 0) after = page.next_cursor;
    if (!page.next_cursor || page.items.some((message) => known.byId.has(message.id))) return { messages, after };
    cursor = page.next_cursor;
  }
  return null;
}

/** The oldest reply shown whose status may still change, outside the poll's newest page. */
function oldestUnsettled(known: Loaded, polled: ReadonlySet<string>): string | null {
  let oldest: string | null = null;
  for (const message of known.byId.values()) {
    if (message.direction !== 'outbound' || SETTLED.has(message.status) || polled.has(message.id)) continue;
    if (oldest === null || message.id < oldest) oldest = message.id;
  }
  return oldest;
}

/**
 * Puts messages read again in place. Reads running side by side may answer out of order, so a
 * message never goes back to an earlier status (statuses only move forward in the API).
 */
function merged(known: Loaded, messages: Message[], onlyKnown = false): Loaded {
  const byId = new Map(known.byId);
  for (const message of messages) {
    const current = byId.get(message.id);
    if (!current && onlyKnown) continue;
    if (current && STATUS_RANK[message.status] < STATUS_RANK[current.status]) continue;
    byId.set(message.id, message);
  }
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
  const sweep = useRef<Sweep>({ polls: 0, from: undefined, after: null, polled: new Set() });
  const errorKey = `thread:${conversationId}`;
  const { connected, requestRead } = usePush();
  // The sweep is for the safety poll: while the socket is up, status notices carry every status.
  const pushed = useRef(connected);
  pushed.current = connected;

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
        const sweepCursor = pushed.current ? null : sweepStart(sweep.current, known);
        const [nextDetail, fresh, swept] = await Promise.all([
          api.getConversation(conversationId, signal),
          known.older === undefined ? null : readNew(conversationId, known, signal),
          sweepCursor
            ? api.listMessages(conversationId, { order: 'desc', limit: THREAD_PAGE_SIZE, cursor: sweepCursor, signal })
            : null,
        ]);
        let next = fresh
          ? merged(loadedRef.current, fresh.messages)
          : await readEnd(conversationId, known.pages, signal);
        if (swept) next = merged(next, swept.items, true);
        if (signal.aborted) return;
        sweepDone(sweep.current, next, fresh, swept);
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
    usePollInterval(),
    [conversationId],
  );
  useNotices((message) => {
    const mine = message.notices.filter((notice) => notice.conversation_id === conversationId);
    if (!mine.length) return;
    // Statuses and tags come with their notices: in place at once, however far up the message is.
    const known = loadedRef.current;
    const statuses = withStatuses(known.byId, mine);
    if (statuses) publish({ ...known, byId: statuses });
    const tagged = mine.filter((notice) => notice.type === 'tags' && notice.tags !== undefined).pop();
    if (tagged?.tags) {
      const tags = tagged.tags;
      setDetail((current) => (current ? { ...current, conversation: { ...current.conversation, tags } } : current));
    }
    // Anything else (a message, a move, a note, a status of a message not read yet) is read.
    const ids = new Set(known.byId.keys());
    if (mine.some((notice) => !carriesChange(notice, ids))) requestRead(refresh);
  });

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

/** Where the status sweep is (see the top of this file). */
interface Sweep {
  polls: number;
  /** The cursor of the next page to sweep; undefined: start again after the poll's newest page. */
  from: string | null | undefined;
  /** The cursor after the last poll's newest page; null when there is nothing past it. */
  after: string | null;
  /** The messages of the last poll's newest page (read every poll anyway). */
  polled: ReadonlySet<string>;
}

/** The cursor of the page this poll sweeps, or null: not its turn, or no reply further up can change. */
function sweepStart(sweep: Sweep, known: Loaded): string | null {
  sweep.polls += 1;
  if (sweep.polls % SWEEP_EVERY !== 0) return null;
  if (oldestUnsettled(known, sweep.polled) === null) {
    sweep.from = undefined;
    return null;
  }
  return sweep.from ?? sweep.after;
}

/** After a poll: what its newest page covered, and where the sweep goes on from. */
function sweepDone(sweep: Sweep, loaded: Loaded, fresh: Fresh | null, swept: Page<Message> | null): void {
  sweep.after = fresh ? fresh.after : null;
  sweep.polled = new Set(fresh ? fresh.messages.slice(0, POLL_PAGE_SIZE).map((message) => message.id) : []);
  if (!swept) return;
  const oldest = oldestUnsettled(loaded, sweep.polled);
  const passed = oldest === null || swept.items.some((message) => message.id <= oldest);
  sweep.from = passed || !swept.next_cursor ? undefined : swept.next_cursor;
}

/** A poll that started before an action may answer after it: never go back to an older version. */
function keepNewer(current: ConversationDetail | null, next: ConversationDetail): ConversationDetail {
  if (current && next.conversation.version < current.conversation.version) {
    return { ...next, conversation: current.conversation };
  }
  return next;
}
