// Shapes of the agent API's JSON bodies (see functions/app.py and shared/domain/outputs.py).
// Times are ISO 8601 strings in UTC.

export type ConversationState = 'new' | 'assigned' | 'archived';

/** The inbox tabs; the value is the `view` query parameter of GET /conversations. */
export type InboxView = 'new' | 'mine' | 'assigned' | 'all';

/** The `sort` query parameter: the conversation's creation or its latest message. */
export type SortField = 'created' | 'activity';
export type SortOrder = 'asc' | 'desc';

export interface Conversation {
  id: string;
  channel: string;
  account_id: string;
  customer_id: string;
  customer_name: string | null;
  team_id: string;
  state: ConversationState;
  owner_id: string | null;
  created_at: string;
  last_message_at: string;
  last_customer_message_at: string | null;
  preview: string;
  version: number;
  tags?: string[];
  archived_at?: string | null;
  last_owner_id?: string | null;
}

export interface ConversationDetail {
  conversation: Conversation;
  window_open: boolean;
  window_closes_at: string | null;
  needs_template: boolean;
  /** Why replies here cannot carry files (SMS pictures outside the US and Canada); null when they can. */
  media_refusal?: string | null;
}

export type MessageDirection = 'inbound' | 'outbound';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type MessageKind =
  | 'text'
  | 'image'
  | 'document'
  | 'audio'
  | 'video'
  | 'location'
  | 'contacts'
  | 'unsupported';

export interface MessageError {
  code: string;
  message: string;
  permanent: boolean;
}

/** A media object of a message; `url` is signed and works for a few minutes only. */
export interface Attachment {
  key: string;
  content_type: string;
  filename: string | null;
  size: number;
  url: string;
}

/** Not sent by the API yet (it keeps only the message's text): rendered when it is. */
export interface SharedLocation {
  latitude: number;
  longitude: number;
  name?: string | null;
  address?: string | null;
}

/** Not sent by the API yet: rendered when it is. */
export interface SharedContact {
  name: string;
  phones?: string[];
  emails?: string[];
}

export interface Message {
  id: string;
  conversation_id: string;
  direction: MessageDirection;
  kind: MessageKind | string;
  text: string | null;
  sent_at: string;
  status: MessageStatus;
  provider_message_id: string | null;
  author_id: string | null;
  error: MessageError | null;
  attachments?: Attachment[];
  location?: SharedLocation | null;
  contacts?: SharedContact[];
  template?: { name: string; language: string; variables?: string[] } | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Role = 'administrator' | 'agent' | 'watcher' | 'supervisor' | 'disabled';

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  team_ids: string[];
  /** Signs in with an authenticator app as well as the password. */
  mfa_enabled?: boolean;
}

export interface TeamRef {
  id: string;
  name: string;
}

export interface Me {
  user: User;
  team_id: string;
  /** The user's teams with their names, in the order of `user.team_ids`. */
  teams: TeamRef[];
  /** Whether adding a tag that is not in the catalogue creates it (else it is refused). */
  may_create_tags: boolean;
  /** The service requires an authenticator app of me (until user.mfa_enabled, only the profile works). */
  mfa_required: boolean;
  /** Minutes idle before the web app sets me Away (0: never). */
  away_after_minutes: number;
}

/** A sign-in step's answer: the session's tokens, or the next challenge with its session. */
export interface SignInResult {
  id_token: string | null;
  access_token: string | null;
  expires_in: number | null;
  challenge: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA' | null;
  session: string | null;
}

export type Availability = 'available' | 'away' | 'offline';

export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

// --- conversation work: tags, notes, quick replies, templates, uploads, presence ----------

export interface Note {
  id: string;
  conversation_id: string;
  author_id: string;
  author_name: string;
  text: string;
  created_at: string;
}

export interface QuickReplyItem {
  id: string;
  group: string;
  group_id: string;
  shortcut: string;
  text: string;
}

/** A quick reply group as `GET /quick-reply-groups` lists it (empty groups too). */
export interface QuickReplyGroupSummary {
  id: string;
  name: string;
  /** `!Name`: typed in the reply box, it lists the group's replies. */
  shortcut: string;
  count: number;
}

/** A channel account of the agent's teams (`GET /team/channel-accounts`): no credentials. */
export interface TeamChannelAccount {
  id: string;
  channel: string;
  name: string;
  enabled: boolean;
}

/** A quick reply with its placeholders filled for one conversation; `missing` could not be. */
export interface RenderedReply {
  text: string;
  missing: string[];
}

export interface Template {
  account_id: string;
  name: string;
  language: string;
  body: string;
  parameters?: string[];
}

export interface TemplateChoice {
  name: string;
  language: string;
  variables: Record<string, string>;
}

export interface UploadTicket {
  key: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  expires_in: number;
}

export interface MediaCapability {
  content_type: string;
  max_bytes: number;
}

export interface ChannelCapabilities {
  channel: string;
  max_text_length: number;
  max_attachments: number;
  media: MediaCapability[];
  // All attachments of one reply together, where the channel limits that (email, SMS).
  max_total_media_bytes: number | null;
  // Media goes only between numbers of these countries (SMS: MMS in the US and Canada).
  media_countries: string[] | null;
  templates: boolean;
  window_hours: number | null;
  human_agent_window_hours: number | null;
  threaded_replies: boolean;
}

export interface Presence {
  user_id: string;
  last_seen: string;
  status: Availability;
  /** Conversations assigned to them in the team now. */
  load: number | null;
}

/**
 * The filter dialog's fields (the list API's filter parameters); every one optional. Channel,
 * agent, tag and state take several values: a conversation matching any of them is listed.
 */
export interface ConversationFilters {
  channel?: string[];
  agent?: string[];
  tag?: string[];
  state?: ConversationState[];
  customer?: string;
  conversation_id?: string;
  since?: string;
  until?: string;
  /** Another of the user's teams (the `team` parameter). */
  team?: string;
}

export interface StartConversationInput {
  account_id: string;
  customer_id?: string;
  phone?: string;
  customer_name?: string;
  text?: string;
  template?: TemplateChoice;
}

export interface ConversationStarted {
  conversation: Conversation;
  message: Message;
}

export type ExportFormat = 'pdf' | 'xlsx' | 'csv';

// --- administration ------------------------------------------------------------------------

export type NotificationPreference = 'all' | 'new_conversations' | 'none';

export interface Profile {
  display_name: string;
  language?: string | null;
  time_zone?: string | null;
  dark_mode?: boolean;
  notifications?: NotificationPreference;
}

export interface ConsentKeywords {
  opt_out: string[];
  opt_in: string[];
}

export interface ServiceSettings {
  agents_may_create_tags: boolean;
  one_open_conversation: boolean;
  /** Per channel, replacing that channel's default opt-out and opt-in words. */
  consent_keywords: Record<string, ConsentKeywords>;
  auto_delete_days: number | null;
  reopen_days: number;
  /** Who must sign in with an authenticator app too. */
  mfa_required: 'nobody' | 'administrators' | 'everyone';
  /** Minutes idle in the web app before an agent turns Away (0: never). */
  away_after_minutes: number;
  rescheduling: boolean;
  seats: number;
  seats_free: number;
  seats_used: number;
}

export interface TimeSpan {
  open: string;
  close: string;
}

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export interface OfficeHours {
  time_zone: string;
  days?: Partial<Record<Weekday, TimeSpan[]>>;
  holidays?: string[];
}

export interface AssignmentPolicy {
  auto_assign?: boolean;
  capacity?: number;
  sticky?: boolean;
}

export interface TeamSettings {
  id: string;
  name: string;
  assignment?: AssignmentPolicy;
  office_hours?: OfficeHours | null;
}

export interface ChannelAccount {
  id: string;
  channel: string;
  name: string;
  provider_account_id: string;
  api_base_url: string;
  enabled: boolean;
  team_id: string;
  webhook_url: string;
}

export interface ChannelAccountInput {
  id: string;
  channel: string;
  name: string;
  provider_account_id: string;
  api_base_url: string;
  team_id?: string | null;
  credentials: Record<string, string>;
}

export interface RoutingRule {
  id: string;
  account_id: string;
  team_id: string;
  priority?: number;
  language?: string | null;
  keyword?: string | null;
}

export interface QuickReplyGroup {
  id: string;
  name: string;
}

export interface AgentActivity {
  assigned?: number;
  replies?: number;
  archived?: number;
}

export interface Statistics {
  team_id: string;
  since: string;
  until: string;
  created: number;
  reopened: number;
  per_day: { day: string; created: number }[];
  by_tag: Record<string, number>;
  by_channel: Record<string, number>;
  by_state: Record<string, number>;
  by_agent: Record<string, AgentActivity>;
  current: Record<string, number>;
}
