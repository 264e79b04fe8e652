// The signed-in session, shared by every tab of this browser.
//
// The refresh token never reaches page scripts: the API keeps it in an HttpOnly, Secure,
// SameSite=Strict cookie scoped to /api/auth/session (see functions/app.py). The ID and access
// tokens live in this tab's memory only. A new tab or a reload asks POST /api/auth/session for
// fresh ones (the cookie goes along by itself); each tab renews its tokens shortly before they
// expire (one tab at a time, through a Web Lock), and the tabs tell each other about sign-in,
// renewal and sign-out on a BroadcastChannel, so one sign-in or sign-out counts for all of them.

import { clearAllDrafts } from './lib/drafts';

const SESSION_URL = `${import.meta.env.VITE_API_BASE ?? '/api'}/auth/session`;
const CHANNEL = 'inbox.session';
const RETRY_MS = 10_000;

export interface SessionTokens {
  id_token: string;
  access_token: string;
  expires_in: number;
}

interface Held {
  id: string;
  access: string;
  expiresAt: number;
  lifetimeMs: number;
}

type Message = { type: 'tokens'; held: Held } | { type: 'signed-out' };
export type SessionEvent = 'signed-in' | 'signed-out';

let held: Held | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let renewing: Promise<boolean> | null = null;
const listeners = new Set<(event: SessionEvent) => void>();
const channel: BroadcastChannel | null = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);

function emit(event: SessionEvent): void {
  listeners.forEach((listener) => listener(event));
}

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  const message = event.data;
  if (message.type === 'tokens') {
    const wasSignedIn = held !== null;
    hold(message.held, false);
    if (!wasSignedIn) emit('signed-in');
  } else if (message.type === 'signed-out' && held !== null) {
    drop();
    emit('signed-out');
  }
});

/** Called when another tab signs in or out, or the session ends; returns the unsubscribe. */
export function onSessionChange(listener: (event: SessionEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getToken(): string | null {
  return held?.id ?? null;
}

/** The access token: Cognito's own account calls (password, authenticator) need it. */
export function getAccessToken(): string | null {
  return held?.access ?? null;
}

/** When the tokens of this tab expire (ms since the epoch), or null when signed out. */
export function expiresAt(): number | null {
  return held?.expiresAt ?? null;
}

function hold(next: Held, broadcast: boolean): void {
  held = next;
  schedule();
  if (broadcast) channel?.postMessage({ type: 'tokens', held: next } satisfies Message);
}

function drop(): void {
  held = null;
  clearTimeout(timer);
}

/** Renew a little before expiry: a quarter of the lifetime ahead, at most a minute. */
function schedule(delay?: number): void {
  clearTimeout(timer);
  if (!held) return;
  const margin = Math.min(60_000, held.lifetimeMs / 4);
  const wait = delay ?? Math.max(1000, held.expiresAt - Date.now() - margin);
  timer = setTimeout(() => void renewSession(), wait);
}

/** The tokens of a sign-in (the API set the cookie with the same answer); tells the other tabs. */
export function startSession(tokens: SessionTokens): void {
  const lifetimeMs = Math.max(5, tokens.expires_in) * 1000;
  hold({ id: tokens.id_token, access: tokens.access_token, expiresAt: Date.now() + lifetimeMs, lifetimeMs }, true);
}

async function askForTokens(): Promise<'renewed' | 'ended' | 'failed'> {
  let response: Response;
  try {
    response = await fetch(SESSION_URL, { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return 'failed';
  }
  if (response.status === 401) return 'ended';
  if (!response.ok) return 'failed';
  startSession((await response.json()) as SessionTokens);
  return 'renewed';
}

async function renewOnce(): Promise<boolean> {
  const before = held?.expiresAt ?? 0;
  const run = async (): Promise<'renewed' | 'ended' | 'failed'> =>
    // Another tab renewed while this one waited for the lock: its tokens came on the channel.
    held !== null && held.expiresAt > before ? 'renewed' : askForTokens();
  const outcome = navigator.locks ? await navigator.locks.request('inbox.session.renew', run) : await run();
  if (outcome === 'renewed') return true;
  if (outcome === 'ended') {
    const wasSignedIn = held !== null;
    drop();
    channel?.postMessage({ type: 'signed-out' } satisfies Message);
    if (wasSignedIn) emit('signed-out');
    return false;
  }
  schedule(RETRY_MS); // the network or the API failed: keep what we have and try again soon
  return held !== null && held.expiresAt > Date.now();
}

/** Fresh tokens from the session cookie (also how a new tab or a reload signs in). */
export function renewSession(): Promise<boolean> {
  renewing ??= renewOnce().finally(() => {
    renewing = null;
  });
  return renewing;
}

/** Sign out in every tab: the API revokes the refresh token and clears its cookie. */
export async function endSession(): Promise<void> {
  drop();
  clearAllDrafts();
  channel?.postMessage({ type: 'signed-out' } satisfies Message);
  try {
    await fetch(SESSION_URL, { method: 'DELETE', credentials: 'same-origin', cache: 'no-store' });
  } catch {
    // offline: the cookie stays until it expires, but the tokens are gone from every tab
  }
}

/** Forget the tokens in this tab only (the session ended on the server). */
export function clearSession(): void {
  drop();
}
