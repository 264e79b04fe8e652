// Generated from docs/openapi.json by `python -m local.api_types`; do not edit.
// tests/unit/test_api_types.py fails when this file and the document differ.

export interface AddressInput {
  /** phone:+31612345678, email:ann@example.com, telegram:<id>, messenger:<id>, instagram:<id>, viber:<id> */
  address: string;
}

export interface AddressView {
  added_at: string;
  address: string;
  channels: Channel[];
  kind: string;
  value: string;
}

export interface AgentActivity {
  archived?: number;
  assigned?: number;
  replies?: number;
}

export interface AgentOverview {
  awaiting_customer: number;
  capacity: number;
  display_name: string;
  longest_waiting_since?: string | null;
  open: number;
  role: Role;
  status: "available" | "away" | "offline";
  user_id: string;
  waiting: number;
}

export interface ArchiveInput {
  tags?: string[];
}

export interface AssignInput {
  agent_id: string;
}

/** How a team's new conversations find an agent. Off: they wait in New for a pick-up. */
export interface AssignmentPolicy {
  auto_assign?: boolean;
  capacity?: number;
  sticky?: boolean;
}

/**
 * A media object in our media bucket (inbound media copied from the provider, or an agent's
 * upload); agents reach it through short-lived signed URLs only.
 */
export interface Attachment {
  content_type: string;
  filename?: string | null;
  key: string;
  size: number;
}

export interface AttachmentInput {
  filename?: string | null;
  key: string;
}

/** An attachment with a signed URL that lets the web app show it for a few minutes. */
export interface AttachmentOut {
  content_type: string;
  filename?: string | null;
  key: string;
  size: number;
  url: string;
}

export interface AttributeDefinition {
  choices?: string[];
  key: string;
  label: string;
  type: AttributeType;
}

export interface AttributeDefinitionList {
  items: AttributeDefinition[];
}

export type AttributeType = "text" | "number" | "date" | "choice";

export interface CapabilitiesOut {
  items: ChannelCapabilities[];
}

/**
 * The answer to a sign-in challenge: ``new_password`` for NEW_PASSWORD_REQUIRED, ``code`` for
 * SOFTWARE_TOKEN_MFA, with the ``session`` the previous step gave.
 */
export interface ChallengeInput {
  challenge: "NEW_PASSWORD_REQUIRED" | "SOFTWARE_TOKEN_MFA";
  code?: string | null;
  email: string;
  new_password?: string | null;
  session: string;
}

export interface ChangePasswordInput {
  current_password: string;
  new_password: string;
}

export type Channel = "whatsapp" | "messenger" | "instagram" | "telegram" | "sms" | "viber" | "email" | "api";

export interface ChannelAccountInput {
  api_base_url: string;
  channel: Channel;
  credentials: Record<string, string>;
  id: string;
  name: string;
  provider_account_id: string;
  team_id?: string | null;
}

export interface ChannelAccountPage {
  items: ChannelAccountView[];
  next_cursor: string | null;
}

export interface ChannelAccountPatch {
  enabled?: boolean | null;
  name?: string | null;
  team_id?: string | null;
}

/** A channel account as administrators see it: never its credentials. */
export interface ChannelAccountView {
  api_base_url: string;
  channel: Channel;
  enabled: boolean;
  id: string;
  name: string;
  provider_account_id: string;
  team_id: string;
  webhook_url: string;
}

/**
 * What one channel can carry and when, so the web app warns before an agent sends what the
 * channel cannot take; the same tables are enforced on send.
 */
export interface ChannelCapabilities {
  channel: Channel;
  human_agent_window_hours: number | null;
  max_attachments: number;
  max_text_length: number;
  max_total_media_bytes: number | null;
  media: MediaCapability[];
  media_countries: string[] | null;
  templates: boolean;
  threaded_replies: boolean;
  window_hours: number | null;
}

export interface CommunicationEntry {
  author_id: string;
  author_name: string;
  conversation_id?: string | null;
  customer_id: string;
  direction: Direction;
  id: string;
  medium: Medium;
  occurred_at: string;
  text: string;
}

export interface CommunicationInput {
  /** shows it in that conversation's export too */
  conversation_id?: string | null;
  direction: Direction;
  medium: Medium;
  /** ISO 8601 with offset; default now */
  occurred_at?: string | null;
  text: string;
}

export interface CommunicationPage {
  items: CommunicationEntry[];
  next_cursor: string | null;
}

export interface Compared {
  current: Figures;
  previous: Figures;
}

/** One change of an address's consent, as kept in its history. */
export interface ConsentChange {
  address: string;
  at: string;
  by?: string | null;
  channel: Channel;
  detail?: string;
  opted_out: boolean;
  source: ConsentSource;
}

export interface ConsentInput {
  address?: string | null;
  channel: Channel;
  detail?: string;
  opted_out: boolean;
}

/**
 * The words (matched against the whole message, trimmed and case-insensitive) that opt a
 * customer out of or back into messages on one channel.
 */
export interface ConsentKeywords {
  opt_in?: string[];
  opt_out?: string[];
}

export interface ConsentOut {
  history: ConsentChange[];
  states: ConsentState[];
}

export type ConsentSource = "keyword" | "provider" | "agent";

export interface ConsentState {
  address: string;
  changed_at?: string | null;
  channel: Channel;
  opted_out: boolean;
  source?: ConsentSource | null;
}

/** A contact the customer shared (vCard-like). */
export interface ContactCard {
  emails?: string[];
  name: string;
  phones?: string[];
}

export type ContentKind = "text" | "image" | "document" | "audio" | "video" | "location" | "contacts" | "unsupported";

export interface Conversation {
  account_id: string;
  archived_at?: string | null;
  awaiting_customer_since?: string | null;
  channel: Channel;
  created_at: string;
  customer_id: string;
  customer_name: string | null;
  first_response_at?: string | null;
  id: string;
  last_customer_message_at: string | null;
  last_message_at: string;
  last_owner_id?: string | null;
  owner_id: string | null;
  preview: string;
  seen_at?: string | null;
  state: ConversationState;
  tags?: string[];
  team_id: string;
  /** Whether the customer's latest message is newer than the owner's last look. */
  unread: boolean;
  version: number;
  waiting_since?: string | null;
}

/**
 * GET /conversations: a tab, its sort, and the filter dialog's fields (each exact; channel,
 * agent, tag and state take several values, matching any of them).
 */
export interface ConversationListQuery {
  /** agent ids; repeat or comma-separate for several */
  agent?: string[];
  /** repeat or comma-separate for several */
  channel?: Channel[];
  conversation_id?: string | null;
  cursor?: string | null;
  /** customer id, phone (E.164 or 00...) or name, exact */
  customer?: string | null;
  limit?: number;
  order?: ("asc" | "desc") | null;
  /** ISO 8601 with offset; inclusive */
  since?: string | null;
  /** waiting: the longest waiting customer first (open conversations only) */
  sort?: ("created" | "activity" | "waiting") | null;
  /** repeat or comma-separate for several */
  state?: ConversationState[];
  /** repeat for several (a tag may contain a comma) */
  tag?: string[];
  team?: string | null;
  /** ISO 8601 with offset; exclusive */
  until?: string | null;
  view?: "new" | "mine" | "assigned" | "all";
  /** open conversations where the customer waits for an answer (agent) or we wait for the customer (customer) */
  waiting?: ("agent" | "customer") | null;
}

export interface ConversationOut {
  conversation: Conversation;
  /** why replies cannot carry files between the account's number and the customer's (SMS pictures outside the US and Canada); null when they can */
  media_refusal?: string | null;
  needs_template: boolean;
  window_closes_at: string | null;
  window_open: boolean;
}

export interface ConversationPage {
  items: Conversation[];
  next_cursor: string | null;
}

export interface ConversationStartedOut {
  conversation: Conversation;
  message: Message;
}

export type ConversationState = "new" | "assigned" | "archived";

export interface ConversationSummary {
  account_id: string;
  account_name?: string | null;
  channel: Channel;
  created_at: string;
  id: string;
  last_message_at?: string | null;
  preview?: string | null;
  readable?: boolean;
  state?: ConversationState | null;
  team_id?: string | null;
  team_name?: string | null;
}

export interface CredentialsInput {
  credentials: Record<string, string>;
}

export interface CustomerConversationPage {
  items: ConversationSummary[];
  next_cursor: string | null;
}

export interface CustomerOut {
  addresses: AddressView[];
  consent: ConsentState[];
  conversations: ConversationSummary[];
  conversations_cursor: string | null;
  log: CommunicationEntry[];
  may_change?: boolean;
  merges: MergeRecord[];
  profile: CustomerProfile;
}

export interface CustomerPage {
  items: CustomerSummary[];
  next_cursor: string | null;
}

export interface CustomerPatch {
  attributes?: Record<string, unknown> | null;
  language?: string | null;
  name?: string | null;
}

export interface CustomerProfile {
  attributes?: Record<string, string | number>;
  created_at: string;
  id: string;
  language?: string | null;
  merged_into?: string | null;
  merging_into?: string | null;
  name?: string | null;
  version?: number;
}

export interface CustomerSearchQuery {
  cursor?: string | null;
  field?: "name" | "phone" | "email" | "channel_id";
  limit?: number;
  /** exact ('Maria'), prefix ('Ma%'), or Like with '%' anywhere ('%ria', '%ari%', 'M%a%ia'); a phone in any format ('0031 6-1234 5678') */
  q: string;
  /** the country (ISO 3166, e.g. NL) of a phone number written nationally ('06 12345678') */
  region?: string | null;
  team?: string | null;
}

export interface CustomerSummary {
  id: string;
  matched: string;
  name: string | null;
}

export interface DayCount {
  created: number;
  day: string;
}

/** One POST of one event to one subscription: a line of the delivery log. */
export interface DeliveryAttempt {
  at: string;
  attempt: number;
  delivery_id: string;
  error?: string | null;
  event_id: string;
  event_type: EventType;
  outcome: DeliveryOutcome;
  replay?: boolean;
  status_code: number | null;
}

/** Newest first. */
export interface DeliveryAttemptPage {
  items: DeliveryAttempt[];
  next_cursor: string | null;
}

export interface DeliveryError {
  code: string;
  message: string;
  permanent: boolean;
}

export type DeliveryOutcome = "delivered" | "retrying" | "failed";

export type DeliveryStatus = "received" | "queued" | "sent" | "delivered" | "read" | "failed";

export type Direction = "inbound" | "outbound" | "system";

export interface EnableInput {
  role?: Role | null;
}

/** Every 4xx answer of the API. */
export interface ErrorBody {
  error: ErrorDetail;
}

export interface ErrorDetail {
  code: string;
  field?: string | null;
  message: string;
}

/**
 * An integrator's URL and the events it receives there. Its signing secret is never shown
 * again after creation (or rotation).
 */
export interface EventSubscription {
  created_at: string;
  description?: string | null;
  enabled?: boolean;
  events: EventType[];
  id: string;
  url: string;
}

export type EventType = "conversation.created" | "conversation.assigned" | "conversation.archived" | "message.created" | "message.status_changed";

export interface ExportInput {
  /** json: the conversation, its thread (system lines with their event) and notes */
  format?: "csv" | "xlsx" | "pdf" | "json";
}

/** An export job: asked for (202, ``pending``), then ``ready`` with a download URL, or ``failed``. */
export interface ExportJobOut {
  created_at: string;
  /** the file's name when downloaded */
  filename: string;
  format: string;
  id: string;
  kind: "conversation" | "statistics";
  /** why it failed, in words; null unless failed */
  reason?: string | null;
  status: ExportStatus;
  /** where to read this job again (relative to the API) */
  status_url: string;
  /** a signed GET of the file, valid a few minutes; null until ready (read the status again for a fresh one) */
  url?: string | null;
  url_expires_at?: string | null;
}

export type ExportStatus = "pending" | "ready" | "failed";

/** One group's durations: how many, and the median and 90th percentile in seconds. */
export interface Figures {
  count?: number;
  mean_seconds?: number | null;
  median_seconds?: number | null;
  p90_seconds?: number | null;
}

export interface ForgotPasswordInput {
  email: string;
}

/** What the agent says of themselves; without a body, Available. */
export interface HeartbeatInput {
  status?: "available" | "away" | "offline";
}

export interface HeartbeatOut {
  online_until: string;
}

export interface InviteUserInput {
  display_name: string;
  email: string;
  role?: Role | null;
  team_ids?: string[];
}

export interface Location {
  address?: string | null;
  latitude: number;
  longitude: number;
  name?: string | null;
}

export interface MeOut {
  away_after_minutes: number;
  may_create_tags: boolean;
  mfa_required: boolean;
  team_id: string;
  teams: Team[];
  user: User;
}

export interface MediaCapability {
  content_type: string;
  max_bytes: number;
}

/**
 * A media object of an inbound message that is not (yet) in the media bucket: being copied,
 * waiting for a retry, or given up on, with the reason the agent sees.
 */
export interface MediaIssue {
  content_type?: string | null;
  filename?: string | null;
  index: number;
  reason?: string | null;
  state: "pending" | "retrying" | "failed";
}

/** How an interaction that did not come through a channel took place (CRM.COM's media). */
export type Medium = "phone" | "visit" | "letter" | "email" | "sms" | "other";

export interface MergeInput {
  /** bound the work of this call; an in_progress answer is resumed by calling again */
  max_steps?: number | null;
  /** the profile merged into this one */
  source_id: string;
}

export interface MergeOut {
  addresses?: string[];
  by_id: string;
  by_name: string;
  conversations?: string[];
  finished_at?: string | null;
  id: string;
  kept_id: string;
  kept_name?: string | null;
  log_entries?: number;
  single_transaction?: boolean;
  source_id: string;
  source_name?: string | null;
  started_at: string;
  state: MergeState;
}

export interface MergeRecord {
  addresses?: string[];
  by_id: string;
  by_name: string;
  conversations?: string[];
  finished_at?: string | null;
  id: string;
  kept_id: string;
  kept_name?: string | null;
  log_entries?: number;
  single_transaction?: boolean;
  source_id: string;
  source_name?: string | null;
  started_at: string;
  state: MergeState;
}

export type MergeState = "in_progress" | "done";

export interface Message {
  account_id?: string | null;
  attachments?: Attachment[];
  author_id: string | null;
  channel?: Channel | null;
  contacts?: ContactCard[];
  conversation_id: string;
  customer_id?: string | null;
  direction: Direction;
  earlier_texts?: string[];
  edited_at?: string | null;
  error?: DeliveryError | null;
  event?: SystemEvent | null;
  id: string;
  kind: ContentKind;
  location?: Location | null;
  media_issues?: MediaIssue[];
  provider_message_id: string | null;
  reaction?: string | null;
  reply_payload?: string | null;
  sent_at: string;
  sent_parts?: string[];
  status: DeliveryStatus;
  story?: StoryRef | null;
  subject?: string | null;
  template?: TemplateContent | null;
  text: string | null;
}

/**
 * POST /conversations/{id}/messages: text (emoji welcome) with up to 10 uploaded attachments,
 * or a template with its variables.
 */
export interface MessageInput {
  attachments?: AttachmentInput[];
  /** id of the customer message this answers: the reply goes out on its channel (default: the customer's latest) */
  reply_to?: string | null;
  /** email only: the subject of a message that starts a new thread (a reply to the customer's mail keeps 'Re: <its subject>'); without it the account's default subject */
  subject?: string | null;
  template?: TemplateInput | null;
  text?: string | null;
}

/**
 * GET /conversations/{id}/messages: oldest first by default; ``order=desc`` pages from the
 * newest message back, so a long thread opens at its end with one request.
 */
export interface MessageListQuery {
  /** next_cursor of a page read in the same order */
  cursor?: string | null;
  limit?: number;
  order?: "asc" | "desc";
  team?: string | null;
}

export interface MessageOut {
  account_id?: string | null;
  attachments?: AttachmentOut[];
  author_id: string | null;
  channel?: Channel | null;
  contacts?: ContactCard[];
  conversation_id: string;
  customer_id?: string | null;
  direction: Direction;
  earlier_texts?: string[];
  edited_at?: string | null;
  error?: DeliveryError | null;
  event?: SystemEvent | null;
  id: string;
  kind: ContentKind;
  location?: Location | null;
  media_issues?: MediaIssue[];
  provider_message_id: string | null;
  reaction?: string | null;
  reply_payload?: string | null;
  sent_at: string;
  sent_parts?: string[];
  status: DeliveryStatus;
  story?: StoryRef | null;
  subject?: string | null;
  template?: TemplateContent | null;
  text: string | null;
}

export interface MessagePage {
  items: MessageOut[];
  next_cursor: string | null;
}

export interface MetricFigures {
  by_agent: Record<string, Compared>;
  by_channel: Record<string, Compared>;
  overall: Compared;
}

export interface Note {
  author_id: string;
  author_name: string;
  conversation_id: string;
  created_at: string;
  id: string;
  text: string;
}

export interface NoteInput {
  text: string;
}

export interface NotePage {
  items: Note[];
  next_cursor: string | null;
}

export type NotificationPreference = "all" | "new_conversations" | "none";

export interface OfficeHours {
  days?: Partial<Record<Weekday, TimeSpan[]>>;
  holidays?: string[];
  time_zone: string;
}

export interface OnlineOut {
  items: Presence[];
}

/**
 * One out-of-office reply as an administrator writes it: text, media, or both (the text
 * then goes as the media's caption where the channel has captions).
 */
export interface OutOfOfficeDraft {
  media?: OutOfOfficeMediaRef | null;
  text?: string | null;
}

export interface OutOfOfficeInput {
  messages: OutOfOfficeDraft[];
}

export interface OutOfOfficeMedia {
  content_type: string;
  filename?: string | null;
  key: string;
  size: number;
}

/**
 * An object the administrator uploaded for the account's out-of-office replies, by the key
 * the upload answer gave (POST /channel-accounts/{account_id}/out-of-office/uploads).
 */
export interface OutOfOfficeMediaRef {
  filename?: string | null;
  key: string;
}

/**
 * One stored out-of-office reply; its media as S3 stored it (type and size checked against
 * the account's channel when the replies were saved).
 */
export interface OutOfOfficeMessage {
  media?: OutOfOfficeMedia | null;
  text?: string | null;
}

export interface OutOfOfficeOut {
  account_id: string;
  messages: OutOfOfficeMessage[];
}

export interface PageQuery {
  cursor?: string | null;
  limit?: number;
  team?: string | null;
}

export interface Presence {
  last_seen: string;
  load?: number | null;
  status?: "available" | "away" | "offline";
  user_id: string;
}

export interface Profile {
  dark_mode?: boolean;
  display_name: string;
  language?: string | null;
  notifications?: NotificationPreference;
  time_zone?: string | null;
}

export interface ProfilePatch {
  dark_mode?: boolean | null;
  display_name?: string | null;
  language?: string | null;
  notifications?: NotificationPreference | null;
  time_zone?: string | null;
}

/** The WebSocket URL and the subprotocol to offer (with the ID token as the second one). */
export interface PushEndpointOut {
  protocol: string;
  url: string;
}

export interface QuickReply {
  group_id: string;
  id: string;
  text: string;
}

export interface QuickReplyGroup {
  id: string;
  name: string;
}

export interface QuickReplyGroupInput {
  name: string;
}

export interface QuickReplyGroupListOut {
  items: QuickReplyGroupOut[];
}

export interface QuickReplyGroupOut {
  count: number;
  id: string;
  name: string;
  shortcut: string;
}

export interface QuickReplyInput {
  group_id: string;
  text: string;
}

export interface QuickReplyListOut {
  items: QuickReplyOut[];
}

export interface QuickReplyOut {
  group: string;
  group_id: string;
  id: string;
  shortcut: string;
  text: string;
}

export interface QuickReplyQuery {
  q?: string | null;
  team?: string | null;
}

export interface QuickReplyUpdateInput {
  text: string;
}

export interface RenderedOut {
  missing: string[];
  text: string;
}

export interface ReplayAccepted {
  delivery_id: string;
  event_id: string;
  subscription_id: string;
}

export interface ReplyRoute {
  account_id: string;
  account_name?: string | null;
  channel: Channel;
  customer_id: string;
  last_customer_message_at?: string | null;
  needs_template?: boolean;
  next?: boolean;
  opted_out?: boolean;
  opted_out_at?: string | null;
  reply_to?: string | null;
  window_closes_at?: string | null;
  window_open: boolean;
}

/** A conversation's routes, the one the next reply takes first. */
export interface ReplyRouteList {
  items: ReplyRoute[];
}

export interface ResetPasswordInput {
  /** six digits */
  code: string;
  email: string;
  new_password: string;
}

export interface ResetRequestedOut {
  message: string;
}

/** The three durations of a span and of the span of the same length just before it. */
export interface ResponseTimes {
  duration: MetricFigures;
  first_response: MetricFigures;
  previous_since: string;
  previous_until: string;
  time_to_archive: MetricFigures;
}

export type Role = "administrator" | "agent" | "watcher" | "disabled" | "supervisor";

export interface RoleInput {
  role: Role;
}

/**
 * Messages on ``account_id`` that open a conversation go to ``team_id``, if the optional
 * conditions hold. Rules are tried by ascending priority; without a match the account's own
 * team takes the conversation (the default team unless changed).
 */
export interface RoutingRule {
  account_id: string;
  id: string;
  keyword?: string | null;
  language?: string | null;
  priority?: number;
  team_id: string;
}

export interface RoutingRuleInput {
  keyword?: string | null;
  language?: string | null;
  priority?: number;
  team_id: string;
}

export interface RoutingRuleList {
  items: RoutingRule[];
}

export interface RoutingRulePage {
  items: RoutingRule[];
  next_cursor: string | null;
}

export interface ServiceSettingsOut {
  agents_may_create_tags: boolean;
  auto_delete_days: number | null;
  away_after_minutes: number;
  consent_keywords: Partial<Record<Channel, ConsentKeywords>>;
  mfa_required: "nobody" | "administrators" | "everyone";
  one_open_conversation: boolean;
  reopen_days: number;
  rescheduling: boolean;
  seats: number;
  seats_free: number;
  seats_used: number;
}

export interface ServiceSettingsPatch {
  agents_may_create_tags?: boolean | null;
  auto_delete_days?: number | null;
  away_after_minutes?: number | null;
  consent_keywords?: Partial<Record<Channel, ConsentKeywords>> | null;
  mfa_required?: ("nobody" | "administrators" | "everyone") | null;
  one_open_conversation?: boolean | null;
  reopen_days?: number | null;
  seats?: number | null;
}

export interface SignInInput {
  email: string;
  password: string;
}

/**
 * Either the session (``id_token``, ``access_token``, ``expires_in``; the refresh token goes
 * in an HttpOnly cookie, never in the body) or the next step (``challenge`` with ``session``).
 */
export interface SignInOut {
  access_token?: string | null;
  challenge?: ("NEW_PASSWORD_REQUIRED" | "SOFTWARE_TOKEN_MFA") | null;
  expires_in?: number | null;
  id_token?: string | null;
  session?: string | null;
}

/**
 * POST /conversations: channel account, contact (existing customer id or a phone number), and
 * the first message (a template where the channel has a window).
 */
export interface StartConversationInput {
  account_id: string;
  attachments?: AttachmentInput[];
  customer_id?: string | null;
  customer_name?: string | null;
  phone?: string | null;
  /** id of the customer message this answers: the reply goes out on its channel (default: the customer's latest) */
  reply_to?: string | null;
  /** email only: the subject of a message that starts a new thread (a reply to the customer's mail keeps 'Re: <its subject>'); without it the account's default subject */
  subject?: string | null;
  template?: TemplateInput | null;
  text?: string | null;
}

export interface StatisticsExportInput {
  /** ISO 8601 with offset; inclusive */
  since: string;
  /** ISO 8601 with offset; exclusive */
  until: string;
}

export interface StatisticsOut {
  by_agent: Record<string, AgentActivity>;
  by_channel: Record<string, number>;
  by_state: Record<string, number>;
  by_tag: Record<string, number>;
  created: number;
  current: Record<string, number>;
  per_day: DayCount[];
  reopened: number;
  response_times?: ResponseTimes | null;
  since: string;
  team_id: string;
  until: string;
}

export interface StatisticsQuery {
  /** ISO 8601 with offset; inclusive */
  since: string;
  team?: string | null;
  /** ISO 8601 with offset; exclusive */
  until: string;
}

/**
 * An Instagram story the message is about: the customer mentioned the account in their
 * story, or replied to one of the account's stories. Only the link is kept (Meta forbids
 * storing story media); it stops working when the story expires.
 */
export interface StoryRef {
  kind: "mention" | "reply";
  story_id?: string | null;
  url?: string | null;
}

/** The answer to a creation or a secret rotation: the only time the secret is shown. */
export interface SubscriptionCreated {
  secret: string;
  subscription: EventSubscription;
}

export interface SubscriptionInput {
  description?: string | null;
  events: EventType[];
  url: string;
}

export interface SubscriptionPage {
  items: EventSubscription[];
  next_cursor: string | null;
}

export interface SubscriptionPatch {
  description?: string | null;
  enabled?: boolean | null;
  events?: EventType[] | null;
  url?: string | null;
}

/**
 * A line of the conversation's story: who did what. Names as they were at the time, so the
 * thread and its exports read without a lookup.
 */
export interface SystemEvent {
  actor_id?: string | null;
  actor_name?: string | null;
  agent_id?: string | null;
  agent_name?: string | null;
  detail?: string | null;
  kind: SystemEventKind;
  merged_from?: string | null;
  merged_into?: string | null;
  tags?: string[];
}

/** What a system line of the thread tells (domain/story.py). */
export type SystemEventKind = "picked_up" | "assigned" | "handed_back" | "archived" | "reopened" | "merged" | "opted_out" | "out_of_office_sent" | "template_window_closed";

export interface TabCountsOut {
  all: number;
  assigned: number;
  limit?: number;
  mine: number;
  new: number;
}

export interface TagInput {
  tag: string;
}

export interface TagOut {
  tag: string;
}

export interface TagPage {
  items: string[];
  next_cursor: string | null;
}

export interface TagsInput {
  tags: string[];
}

export interface Team {
  id: string;
  name: string;
}

/**
 * A channel account as agents see it, to start a conversation from: no credentials, no
 * provider ids, no webhook URL.
 */
export interface TeamChannelAccount {
  channel: Channel;
  enabled: boolean;
  id: string;
  name: string;
}

export interface TeamChannelAccountPage {
  items: TeamChannelAccount[];
  next_cursor: string | null;
}

export interface TeamIdsInput {
  team_ids: string[];
}

export interface TeamInput {
  assignment?: AssignmentPolicy | null;
  id?: string | null;
  name: string;
  office_hours?: OfficeHours | null;
}

export interface TeamOverview {
  agents: AgentOverview[];
  auto_assign: boolean;
  limit?: number;
  new: number;
  new_longest_waiting_since?: string | null;
  team_id: string;
}

export interface TeamPage {
  items: TeamSettings[];
  next_cursor: string | null;
}

export interface TeamPatch {
  assignment?: AssignmentPolicy | null;
  name?: string | null;
}

export interface TeamSettings {
  assignment?: AssignmentPolicy;
  id: string;
  name: string;
  office_hours?: OfficeHours | null;
}

/**
 * An approved template of one channel account. ``parameters`` name the body's variables in
 * the order the provider numbers them ({{1}}, {{2}}, ...).
 */
export interface Template {
  account_id: string;
  body: string;
  labels?: Record<string, string>;
  language: string;
  name: string;
  parameters?: string[];
}

/** An approved provider template (WhatsApp) with its body variables in order ({{1}}, {{2}}, ...). */
export interface TemplateContent {
  language: string;
  name: string;
  parameter_names?: string[] | null;
  variables?: string[];
}

export interface TemplateDefinitionInput {
  body: string;
  labels?: Record<string, string> | null;
  language: string;
  name: string;
  parameters?: string[] | null;
}

export interface TemplateInput {
  language: string;
  name: string;
  variables?: Record<string, string>;
}

export interface TemplateListOut {
  items: Template[];
}

export interface TemplateQuery {
  language?: string | null;
  team?: string | null;
}

/** What a sync with the provider did: the account's templates now, and what changed. */
export interface TemplateSync {
  added: string[];
  items: Template[];
  not_at_provider: string[];
  updated: string[];
}

/** Open from ``open`` (inclusive) to ``close`` (exclusive), "HH:MM"; "24:00" closes at midnight. */
export interface TimeSpan {
  close: string;
  open: string;
}

export interface TotpCodeInput {
  /** six digits */
  code: string;
}

export interface TotpEnrolmentOut {
  otpauth_uri: string;
  secret: string;
}

export interface UploadInput {
  content_type: string;
  filename: string;
  /** bytes */
  size: number;
}

/**
 * POST a multipart form to ``url`` with every one of ``fields`` and then the file (field
 * ``file``, last) before ``expires_in`` seconds pass, then name ``key`` in the message's
 * attachments. The signed policy takes exactly ``size`` bytes of the declared type at ``key``.
 */
export interface UploadOut {
  expires_in: number;
  fields: Record<string, string>;
  key: string;
  method: "POST";
  size: number;
  url: string;
}

export interface User {
  display_name: string;
  email: string;
  id: string;
  mfa_enabled?: boolean;
  role: Role;
  team_ids: string[];
}

export interface UserPage {
  items: User[];
  next_cursor: string | null;
}

export type Weekday = "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday";
