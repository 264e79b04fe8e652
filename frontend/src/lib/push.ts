import type { PushEndpointOut, TabCountsOut } from '../api-types';
import type { Conversation, ConversationState, InboxView, Message, MessageError, MessageStatus } from '../types';

// The inbox's WebSocket: one per tab, to the API's WebSocket endpoint (GET /push says where), which
// sends small "what changed" notices instead of the tab polling (ids; a status, the tags, and the
// conversation's row where the change carries them). The token
// travels as the second offered subprotocol, so it is never part of a URL.
//
// Reconnects after any close with exponential backoff and full jitter (a server restart does not
// bring every tab back in the same second); while it is down, listeners are told, so the app reads
// once at each change of state (the catch-up read after a reconnect) and polls slowly only while down.
// The heartbeat that keeps the agent online rides the socket, with the availability they chose: an
// idle tab sends one socket message a minute and makes no API request. The tab also says what it shows
// (`TabWatch`: a "view" message when that changes, and again in every heartbeat), so the server sends
// it only the notices that can concern it. Reads that notices cause go through one gate per tab
// (`ReadGate`): at most one round of reads a second, however fast notices come.

export type NoticeType = 'conversation' | 'message' | 'status' | 'tags' | 'note' | 'presence';

export interface Notice {
  type: NoticeType;
  conversation_id?: string;
  message_id?: string;
  user_id?: string;
  /** Where the conversation is now, and who has it (conversation and message notices). */
  state?: ConversationState;
  owner_id?: string;
  /** A status notice: the message's delivery status now, and the provider's reason when it failed. */
  status?: MessageStatus;
  error?: MessageError;
  /** A tags notice: the conversation's tags now. */
  tags?: string[];
  /** A conversation or message notice: the conversation as the change left it (a list's row). */
  conversation?: Conversation;
}

const LIST_CHANGES: ReadonlySet<NoticeType> = new Set(['conversation', 'message', 'tags']);

/**
 * Whether a notice can change what a tab shows: a conversation it shows, or one that is now where
 * the tab looks (New: new; Assigned: assigned; Assigned to me: assigned to me; All: anything). A
 * tab that cannot be touched is not read again: with many agents, most notices concern few of them.
 */
export function touchesList(notice: Notice, view: InboxView, me: string, shown: ReadonlySet<string>): boolean {
  if (!LIST_CHANGES.has(notice.type)) return false;
  if (notice.conversation_id !== undefined && shown.has(notice.conversation_id)) return true;
  if (notice.state === undefined) return notice.type !== 'tags';
  return showsIn(view, notice.state, notice.owner_id, me);
}

/** Whether a tab's list in `view` (unfiltered) shows a conversation in `state` that `ownerId` has. */
export function showsIn(view: InboxView, state: ConversationState, ownerId: string | null | undefined, me: string): boolean {
  switch (view) {
    case 'all':
      return true;
    case 'new':
      return state === 'new';
    case 'assigned':
      return state === 'assigned';
    case 'mine':
      return state === 'assigned' && ownerId === me;
  }
}

/** The API's order of statuses (`DeliveryStatus.rank`): a status only moves forward. */
export const STATUS_RANK: Record<MessageStatus, number> = { received: 0, queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * The messages with the statuses the notices carry put in place (never moving a status back), or
 * null when none of them changes a message in `messages`.
 */
export function withStatuses(messages: ReadonlyMap<string, Message>, notices: readonly Notice[]): Map<string, Message> | null {
  let next: Map<string, Message> | null = null;
  for (const notice of notices) {
    if (notice.type !== 'status' || !notice.message_id || !notice.status) continue;
    const current = (next ?? messages).get(notice.message_id);
    if (!current || STATUS_RANK[notice.status] < STATUS_RANK[current.status]) continue;
    if (current.status === notice.status && (notice.error === undefined || current.error)) continue;
    next ??= new Map(messages);
    next.set(notice.message_id, { ...current, status: notice.status, error: notice.error ?? current.error ?? null });
  }
  return next;
}

/** Whether a notice brings its whole change with it for a thread holding `known` (no read needed). */
export function carriesChange(notice: Notice, known: ReadonlySet<string>): boolean {
  if (notice.type === 'status') return !!notice.status && !!notice.message_id && known.has(notice.message_id);
  if (notice.type === 'tags') return notice.tags !== undefined;
  return false;
}

/** The conversations with the tags the notices carry put in place, or null when none of them is here. */
export function withTags(conversations: Conversation[], notices: readonly Notice[]): Conversation[] | null {
  const tags = new Map<string, string[]>();
  for (const notice of notices) {
    if (notice.type === 'tags' && notice.tags && notice.conversation_id) tags.set(notice.conversation_id, notice.tags);
  }
  if (!conversations.some((conversation) => tags.has(conversation.id))) return null;
  return conversations.map((conversation) => {
    const next = tags.get(conversation.id);
    return next ? { ...conversation, tags: next } : conversation;
  });
}

/** Whether a notice may be an arrival worth a notification: a new conversation, or news in one of mine. */
export function mayBeArrival(notice: Notice, me: string): boolean {
  if (notice.type !== 'conversation' && notice.type !== 'message') return false;
  return notice.state === undefined || notice.state === 'new' || notice.owner_id === me;
}

/**
 * What the tab shows, as it tells the server (which then sends a notice about a conversation only to
 * the tabs it can concern): its list's view, `filtered` for a list narrowed by filters or a search
 * (the server does not follow filters: such a list may show anything), `none` when no list is on
 * screen; and the conversation open in its thread pane. A routing hint only: it grants nothing.
 */
export interface TabWatch {
  view: InboxView | 'filtered' | 'none';
  conversation_id: string | null;
}

/** The shape of a conversation id, as the server checks it (anything else is sent as none). */
const CONVERSATION_ID = /^[0-9a-f]{32}$/;

export function tabWatch(view: InboxView | null, filtered: boolean, conversationId: string | null): TabWatch {
  return {
    view: view === null ? 'none' : filtered ? 'filtered' : view,
    conversation_id: conversationId !== null && CONVERSATION_ID.test(conversationId) ? conversationId : null,
  };
}

export const NO_LIST: TabWatch = { view: 'none', conversation_id: null };

/** The tabs' counts a notice may carry (and GET /team/inbox-counts answers). */
export type PushCounts = TabCountsOut;

export interface PushMessage {
  notices: Notice[];
  counts?: PushCounts;
}

/** Where to connect, and the subprotocol to offer before the token (GET /push). */
export type PushEndpoint = PushEndpointOut;

/** How long the socket must be open before the next failure starts the backoff from scratch. */
const STABLE_MS = 10_000;
const BASE_MS = 500;
const MAX_MS = 30_000;
/** API Gateway closes a connection idle for 10 minutes; the heartbeat also keeps the agent online. */
export const SOCKET_HEARTBEAT_MS = 60_000;

/** Milliseconds before reconnect attempt `attempt` (0-based): full jitter over an exponential cap. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.max(BASE_MS / 2, Math.round(random() * cap));
}

export function parsePushMessage(data: unknown): PushMessage | null {
  if (typeof data !== 'string') return null;
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value !== 'object' || value === null || !Array.isArray((value as PushMessage).notices)) return null;
    return value as PushMessage;
  } catch {
    return null;
  }
}

export interface PushOptions {
  endpoint(): Promise<PushEndpoint>;
  token(): string | null;
  team: string;
  onMessage(message: PushMessage): void;
  onState(up: boolean): void;
  /** The heartbeat's body (the availability the agent chose, what the tab shows), sent on open, each
   * minute and by `beat()`. */
  heartbeat(): Record<string, unknown>;
}

/** Reads caused by notices: at most one round a second per tab. */
export const NOTICE_READ_GAP_MS = 1_000;

/**
 * Coalesces the reads notices ask for. A request made when the last round is at least `gapMs` old
 * runs at once (in the next task, with every other request of the same push message); otherwise
 * it joins the round that runs when the gap has passed. A read asked for twice runs once.
 */
export class ReadGate {
  private readonly pending = new Set<() => void>();
  private last = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly gapMs: number = NOTICE_READ_GAP_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  request(read: () => void): void {
    this.pending.add(read);
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.last + this.gapMs - this.now()));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private flush(): void {
    this.timer = undefined;
    this.last = this.now();
    const reads = [...this.pending];
    this.pending.clear();
    for (const read of reads) read();
  }
}

export class PushClient {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private openedAt = 0;
  private stopped = false;
  private up = false;

  constructor(private readonly options: PushOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Sends the heartbeat now (the availability changed), when the socket is open. */
  beat(): void {
    this.send(this.options.heartbeat());
  }

  /** Sends a message when the socket is open; false when it is not (the next heartbeat repairs). */
  send(message: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.socket?.close(1000, 'signed out');
    this.socket = null;
    this.setUp(false);
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.options.onState(up);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const token = this.options.token();
    let endpoint: PushEndpoint;
    try {
      if (!token) throw new Error('signed out');
      endpoint = await this.options.endpoint();
    } catch {
      this.scheduleRetry();
      return;
    }
    if (this.stopped) return;
    const url = `${endpoint.url}${endpoint.url.includes('?') ? '&' : '?'}team=${encodeURIComponent(this.options.team)}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, [endpoint.protocol, token]);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.openedAt = Date.now();
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(), SOCKET_HEARTBEAT_MS);
      this.beat();
      this.setUp(true);
    };
    socket.onmessage = (event: MessageEvent) => {
      const message = parsePushMessage(event.data);
      if (message) this.options.onMessage(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.heartbeat);
      if (this.openedAt && Date.now() - this.openedAt >= STABLE_MS) this.attempt = 0;
      this.openedAt = 0;
      this.setUp(false);
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.retry = setTimeout(() => void this.connect(), delay);
  }
}
