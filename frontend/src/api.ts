// The HTTP client of the agent API: one place that adds the bearer token, turns every error
// body ({"error":{"code","message","field"?}}) into an ApiError and reports a 401.

import { clearSession, getToken } from './session';
import type {
  Conversation,
  ConversationDetail,
  InboxView,
  Me,
  Message,
  Page,
  SignInResult,
  SortField,
  SortOrder,
} from './types';

const API_BASE: string = import.meta.env.VITE_API_BASE ?? '/api';
const enc = encodeURIComponent;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** True for the error a fetch throws when its AbortSignal fires: not worth showing. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** The text to show a person for any error thrown by this module (or anything else). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/**
 * The team the agent works in now (users in several teams choose one): sent as `team=` on
 * every signed-in call, which is how the API knows (see `_principal` in functions/app.py).
 */
let currentTeam: string | null = null;

export function setTeam(team: string | null): void {
  currentTeam = team;
}

type UnauthorizedListener = () => void;
let onUnauthorized: UnauthorizedListener | null = null;

/** Registers the one function called (after the session is cleared) when any call gets a 401. */
export function setUnauthorizedListener(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener;
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** false for the sign-in call: no token is sent and a 401 means "wrong credentials". */
  auth?: boolean;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const { body, signal, auth = true } = options;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth) {
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
  }

  let url = API_BASE + path;
  if (auth && currentTeam) url += `${path.includes('?') ? '&' : '?'}team=${enc(currentTeam)}`;

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.');
  }

  const payload: unknown = await readJson(response);
  if (response.ok) return payload as T;

  const error = toApiError(response.status, payload);
  if (response.status === 401 && auth) {
    clearSession();
    onUnauthorized?.();
  }
  throw error;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function toApiError(status: number, payload: unknown): ApiError {
  if (payload && typeof payload === 'object' && 'error' in payload) {
    const body = (payload as { error: unknown }).error;
    if (body && typeof body === 'object') {
      const { code, message, field } = body as Record<string, unknown>;
      if (typeof message === 'string' && message) {
        return new ApiError(
          status,
          typeof code === 'string' ? code : 'error',
          message,
          typeof field === 'string' ? field : undefined,
        );
      }
    }
  }
  return new ApiError(status, 'http_error', `The server answered with an error (HTTP ${status}).`);
}

export interface ListOptions {
  cursor?: string | null;
  limit?: number;
  sort?: SortField | undefined;
  order?: SortOrder | undefined;
  signal?: AbortSignal | undefined;
}

function query(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined)
    .map(([key, value]) => `${enc(key)}=${enc(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export const api = {
  login(email: string, password: string): Promise<SignInResult> {
    return request('POST', '/auth/login', { body: { email, password }, auth: false });
  },

  me(signal?: AbortSignal): Promise<Me> {
    return request('GET', '/me', { signal });
  },

  listConversations(view: InboxView, options: ListOptions = {}): Promise<Page<Conversation>> {
    const { cursor, limit = 50, sort, order, signal } = options;
    return request('GET', `/conversations${query({ view, sort, order, limit, cursor })}`, { signal });
  },

  getConversation(id: string, signal?: AbortSignal): Promise<ConversationDetail> {
    return request('GET', `/conversations/${enc(id)}`, { signal });
  },

  listMessages(
    id: string,
    options: { cursor?: string | null; limit?: number; signal?: AbortSignal } = {},
  ): Promise<Page<Message>> {
    const { cursor, limit = 100, signal } = options;
    return request('GET', `/conversations/${enc(id)}/messages${query({ limit, cursor })}`, { signal });
  },

  pickUp(id: string): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/pickup`);
  },

  sendMessage(id: string, text: string): Promise<Message> {
    return request('POST', `/conversations/${enc(id)}/messages`, { body: { text } });
  },
};
