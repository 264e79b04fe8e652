// The HTTP client of the agent API: one place that adds the bearer token, turns every error
// body ({"error":{"code","message","field"?}}) into an ApiError and reports a 401.

import { t } from './lib/i18n';
import type { PushCounts, PushEndpoint } from './lib/push';
import { clearSession, getAccessToken, getToken, renewSession } from './session';
import type {
  Availability,
  ChannelCapabilities,
  Conversation,
  ConversationDetail,
  ConversationFilters,
  ConversationStarted,
  ExportFormat,
  ExportJob,
  InboxView,
  Me,
  Message,
  Note,
  Page,
  Presence,
  Profile,
  QuickReplyGroupSummary,
  QuickReplyItem,
  RenderedReply,
  SignInResult,
  SortField,
  SortOrder,
  StartConversationInput,
  TeamChannelAccount,
  TeamOverview,
  Template,
  User,
  TemplateChoice,
  TotpEnrolment,
  UploadTicket,
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
  return t('error.generic');
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
  /** Send the access token too (X-Access-Token): Cognito's own account calls need it. */
  access?: boolean;
}

/** The URL of an API path, with the current team unless the path names one itself. */
function apiUrl(path: string, auth: boolean): string {
  let url = API_BASE + path;
  if (auth && currentTeam && !/[?&]team=/.test(path)) url += `${path.includes('?') ? '&' : '?'}team=${enc(currentTeam)}`;
  return url;
}

function authHeaders(accept: string): Record<string, string> {
  const headers: Record<string, string> = { Accept: accept };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/** One call of the API; the administration module (loaded with the settings) uses it too. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}, retried = false): Promise<T> {
  const { body, signal, auth = true, access = false } = options;
  const headers: Record<string, string> = auth ? authHeaders('application/json') : { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const accessToken = getAccessToken();
  if (access && accessToken) headers['X-Access-Token'] = accessToken;
  const url = apiUrl(path, auth);

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
    throw new ApiError(0, 'network_error', t('error.network'));
  }

  const payload: unknown = await readJson(response);
  if (response.ok) return payload as T;

  const error = toApiError(response.status, payload);
  if (response.status === 401 && auth) {
    // An expired token (a sleeping laptop missed its renewal): renew once and try again.
    if (!retried && (await renewSession())) return request<T>(method, path, options, true);
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
  return new ApiError(status, 'http_error', t('error.http', { status: String(status) }));
}

export interface ListOptions {
  cursor?: string | null;
  limit?: number;
  sort?: SortField | undefined;
  order?: SortOrder | undefined;
  signal?: AbortSignal | undefined;
  filters?: ConversationFilters | undefined;
}

/** A file the API answers with `Content-Disposition: attachment`. */
export interface DownloadedFile {
  filename: string;
  blob: Blob;
}

// How often and how long the web app reads an export job while the worker builds the file (the job can
// still be read later: it is kept a day).
const EXPORT_POLL_MS = 1000;
const EXPORT_WAIT_MS = 120_000;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads the job until it has ended (bounded), then downloads the file from its signed URL. */
async function exportedFile(asked: ExportJob): Promise<DownloadedFile> {
  const giveUpAt = Date.now() + EXPORT_WAIT_MS;
  let job = asked;
  while (job.status === 'pending') {
    if (Date.now() > giveUpAt) throw new ApiError(0, 'export_timeout', t('export.timeout'));
    await pause(EXPORT_POLL_MS);
    job = await request<ExportJob>('GET', job.status_url);
  }
  if (job.status !== 'ready' || !job.url) {
    throw new ApiError(0, 'export_failed', t('export.failed', { reason: job.reason ?? t('export.no_reason') }));
  }
  let response: Response;
  try {
    // Straight from the bucket: the signature in the URL is the authorisation, no token goes there.
    response = await fetch(job.url, { credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network_error', t('error.network'));
  }
  if (!response.ok) {
    throw new ApiError(response.status, 'download_failed', t('export.download_failed', { status: String(response.status) }));
  }
  return { filename: job.filename, blob: await response.blob() };
}

/**
 * Posts the file as the presigned form of an upload ticket (straight to the bucket, not the API):
 * the signed fields first, the file last, as S3 wants them. The form's policy takes exactly the
 * declared size and type, so S3 refuses anything else.
 */
export async function uploadFile(ticket: UploadTicket, file: Blob, signal?: AbortSignal): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append('file', file);
  let response: Response;
  try {
    response = await fetch(ticket.url, { method: ticket.method, body: form, signal: signal ?? null });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, 'network_error', t('error.upload_network'));
  }
  if (!response.ok) throw new ApiError(response.status, 'upload_failed', t('error.upload_http', { status: String(response.status) }));
}

type QueryValue = string | number | readonly string[] | null | undefined;

/** A query string; a list repeats its parameter (`?tag=a&tag=b`: a tag may contain a comma). */
export function query(params: Record<string, QueryValue>): string {
  const parts = Object.entries(params).flatMap(([key, value]) => {
    if (value === null || value === undefined) return [];
    const values = typeof value === 'string' || typeof value === 'number' ? [String(value)] : value;
    return values.map((one) => `${enc(key)}=${enc(one)}`);
  });
  return parts.length ? `?${parts.join('&')}` : '';
}

export const api = {
  login(email: string, password: string): Promise<SignInResult> {
    return request('POST', '/auth/login', { body: { email, password }, auth: false });
  },

  /** The next sign-in step: a new password (first sign-in) or the authenticator's code. */
  answerChallenge(
    challenge: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA',
    email: string,
    session: string,
    answer: string,
  ): Promise<SignInResult> {
    const body = challenge === 'NEW_PASSWORD_REQUIRED' ? { new_password: answer } : { code: answer };
    return request('POST', '/auth/challenge', { body: { challenge, email, session, ...body }, auth: false });
  },

  forgotPassword(email: string): Promise<{ message: string }> {
    return request('POST', '/auth/forgot-password', { body: { email }, auth: false });
  },

  resetPassword(email: string, code: string, newPassword: string): Promise<null> {
    return request('POST', '/auth/reset-password', { body: { email, code, new_password: newPassword }, auth: false });
  },

  changePassword(currentPassword: string, newPassword: string): Promise<null> {
    return request('POST', '/me/password', {
      body: { current_password: currentPassword, new_password: newPassword },
      access: true,
    });
  },

  beginTotp(): Promise<TotpEnrolment> {
    return request('POST', '/me/mfa/totp', { access: true });
  },

  confirmTotp(code: string): Promise<User> {
    return request('PUT', '/me/mfa/totp', { body: { code }, access: true });
  },

  me(signal?: AbortSignal): Promise<Me> {
    return request('GET', '/me', { signal });
  },

  /** My profile: display name, language, time zone, dark mode, notifications. */
  profile(signal?: AbortSignal): Promise<Profile> {
    return request('GET', '/me/profile', { signal });
  },

  listConversations(view: InboxView, options: ListOptions = {}): Promise<Page<Conversation>> {
    const { cursor, limit = 50, sort, order, signal, filters = {} } = options;
    const params = { view, sort, order, limit, cursor, ...filters };
    return request('GET', `/conversations${query(params)}`, { signal });
  },

  startConversation(input: StartConversationInput): Promise<ConversationStarted> {
    return request('POST', '/conversations', { body: input });
  },

  getConversation(id: string, signal?: AbortSignal): Promise<ConversationDetail> {
    return request('GET', `/conversations/${enc(id)}`, { signal });
  },

  /** One page of the thread: oldest first, or newest first with `order: 'desc'` (a cursor keeps its order). */
  listMessages(
    id: string,
    options: { cursor?: string | null; limit?: number; order?: SortOrder; signal?: AbortSignal } = {},
  ): Promise<Page<Message>> {
    const { cursor, limit = 100, order, signal } = options;
    return request('GET', `/conversations/${enc(id)}/messages${query({ limit, cursor, order })}`, { signal });
  },

  /** I opened the conversation: when it is mine, what the customer wrote so far is read. */
  seen(id: string): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/seen`);
  },

  /** The team at a glance: each agent's status, open conversations and capacity, and New. */
  teamOverview(signal?: AbortSignal): Promise<TeamOverview> {
    return request('GET', '/team/overview', { signal });
  },

  pickUp(id: string): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/pickup`);
  },

  /** A reply; `replyTo` (a customer message) sends it on that message's channel account. */
  sendMessage(
    id: string,
    text: string,
    attachments: { key: string; filename: string }[] = [],
    replyTo: string | null = null,
    subject: string | null = null,
  ): Promise<Message> {
    const body = { text: text || null, attachments, ...(replyTo ? { reply_to: replyTo } : {}), ...(subject ? { subject } : {}) };
    return request('POST', `/conversations/${enc(id)}/messages`, { body });
  },

  sendTemplate(id: string, template: TemplateChoice, replyTo: string | null = null): Promise<Message> {
    return request('POST', `/conversations/${enc(id)}/messages`, { body: { template, ...(replyTo ? { reply_to: replyTo } : {}) } });
  },

  requestUpload(id: string, file: { filename: string; content_type: string; size: number }): Promise<UploadTicket> {
    return request('POST', `/conversations/${enc(id)}/uploads`, { body: file });
  },

  assign(id: string, agentId: string): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/assign`, { body: { agent_id: agentId } });
  },

  reopen(id: string): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/reopen`);
  },

  handBack(id: string): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/handback`);
  },

  archive(id: string, tags: string[]): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/archive`, { body: { tags } });
  },

  addTags(id: string, tags: string[]): Promise<Conversation> {
    return request('POST', `/conversations/${enc(id)}/tags`, { body: { tags } });
  },

  removeTag(id: string, tag: string): Promise<Conversation> {
    return request('DELETE', `/conversations/${enc(id)}/tags/${enc(tag)}`);
  },

  listNotes(id: string, cursor?: string | null, signal?: AbortSignal): Promise<Page<Note>> {
    return request('GET', `/conversations/${enc(id)}/notes${query({ limit: 100, cursor })}`, { signal });
  },

  addNote(id: string, text: string): Promise<Note> {
    return request('POST', `/conversations/${enc(id)}/notes`, { body: { text } });
  },

  conversationTemplates(id: string, language?: string): Promise<{ items: Template[] }> {
    return request('GET', `/conversations/${enc(id)}/templates${query({ language })}`);
  },

  accountTemplates(accountId: string, language?: string): Promise<{ items: Template[] }> {
    return request('GET', `/channel-accounts/${enc(accountId)}/templates${query({ language })}`);
  },

  quickReplies(q?: string, signal?: AbortSignal): Promise<{ items: QuickReplyItem[] }> {
    return request('GET', `/quick-replies${query({ q: q || undefined })}`, { signal });
  },

  quickReplyGroups(signal?: AbortSignal): Promise<{ items: QuickReplyGroupSummary[] }> {
    return request('GET', '/quick-reply-groups', { signal });
  },

  /** The channel accounts of my teams (every account for administrators and watchers); pages may be short. */
  teamChannelAccounts(cursor?: string | null): Promise<Page<TeamChannelAccount>> {
    return request('GET', `/team/channel-accounts${query({ limit: 100, cursor })}`);
  },

  renderQuickReply(id: string, replyId: string): Promise<RenderedReply> {
    return request('GET', `/conversations/${enc(id)}/quick-replies/${enc(replyId)}`);
  },

  tags(cursor?: string | null): Promise<Page<string>> {
    return request('GET', `/tags${query({ limit: 100, cursor })}`);
  },

  pushEndpoint(): Promise<PushEndpoint> {
    return request('GET', '/push');
  },

  inboxCounts(signal?: AbortSignal): Promise<PushCounts> {
    return request('GET', '/team/inbox-counts', { signal });
  },

  heartbeat(status: Availability): Promise<{ online_until: string }> {
    return request('POST', '/me/heartbeat', { body: { status } });
  },

  online(): Promise<{ items: Presence[] }> {
    return request('GET', '/team/online');
  },

  members(teamId: string, cursor?: string | null): Promise<Page<User>> {
    return request('GET', `/teams/${enc(teamId)}/members${query({ limit: 100, cursor })}`);
  },

  capabilities(): Promise<{ items: ChannelCapabilities[] }> {
    return request('GET', '/channels/capabilities');
  },

  /** Response times of a span (against the span before) as CSV, built off the request; the caller saves it. */
  async exportStatistics(since: string, until: string): Promise<DownloadedFile> {
    return exportedFile(await request<ExportJob>('POST', '/statistics/exports', { body: { since, until } }));
  },

  /** The conversation as a file, built off the request; the caller saves it. */
  async exportConversation(id: string, format: ExportFormat): Promise<DownloadedFile> {
    return exportedFile(await request<ExportJob>('POST', `/conversations/${enc(id)}/exports`, { body: { format } }));
  },
};

