// The agent API's JSON bodies, by the names the web app uses. The shapes come from
// api-types.ts, generated from docs/openapi.json (`python -m local.api_types`; a unit test fails
// when it drifts), so they follow the API's pydantic models. Times are ISO 8601 strings in UTC.
// Only what the API does not describe is written here: the client's own state (tabs, sorting,
// filters) and the generic page.

import type * as Api from './api-types';

export type { Api };

export type ConversationState = Api.ConversationState;
export type Conversation = Api.Conversation;
export type ConversationDetail = Api.ConversationOut;

export type MessageDirection = Api.Direction;
export type MessageStatus = Api.DeliveryStatus;
export type MessageKind = Api.ContentKind;
export type MessageError = Api.DeliveryError;
/** A media object of a message; `url` is signed and works for a few minutes only. */
export type Attachment = Api.AttachmentOut;

/** A location the customer shared (Message.location). */
export type SharedLocation = Api.Location;
/** A contact card the customer shared (Message.contacts). */
export type SharedContact = Api.ContactCard;
/** Media of a message not (yet) copied from the provider: pending, retrying, or failed with the reason. */
export type MediaIssue = Api.MediaIssue;

/** A message of a thread (with its location, contacts, story, edits, reaction and media issues). */
export type Message = Api.MessageOut;

/** Every list endpoint's page (the API's `*Page` models). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Role = Api.Role;
export type User = Api.User;
export type TeamRef = Api.Team;
export type Me = Api.MeOut;
export type SignInResult = Api.SignInOut;
export type TotpEnrolment = Api.TotpEnrolmentOut;
/** Available, Away or Offline: only Available agents are given work. */
export type Availability = NonNullable<Api.Presence['status']>;
export type ApiErrorBody = Api.ErrorBody;

// --- conversation work: tags, notes, quick replies, templates, uploads, presence ----------

export type Note = Api.Note;
export type QuickReplyItem = Api.QuickReplyOut;
/** A quick reply group as `GET /quick-reply-groups` lists it (empty groups too). */
export type QuickReplyGroupSummary = Api.QuickReplyGroupOut;
/** A channel account of the agent's teams (`GET /team/channel-accounts`): no credentials. */
export type TeamChannelAccount = Api.TeamChannelAccount;
/** A quick reply with its placeholders filled for one conversation; `missing` could not be. */
export type RenderedReply = Api.RenderedOut;
export type Template = Api.Template;
export type TemplateSync = Api.TemplateSync;
/** A template as the web app fills it: `variables` always present (empty when it has none). */
export type TemplateChoice = Api.TemplateInput & { variables: Record<string, string> };
export type UploadTicket = Api.UploadOut;
export type MediaCapability = Api.MediaCapability;
export type ChannelCapabilities = Api.ChannelCapabilities;
export type Presence = Api.Presence;
export type TeamOverview = Api.TeamOverview;
export type AgentOverview = Api.AgentOverview;
export type StartConversationInput = Api.StartConversationInput;
export type ConversationStarted = Api.ConversationStartedOut;
export type ExportFormat = NonNullable<Api.ExportInput['format']>;
/** An export job: pending until the worker has built the file, then ready (with a short-lived URL) or failed. */
export type ExportJob = Api.ExportJobOut;

/** The inbox tabs; the value is the `view` query parameter of GET /conversations. */
export type InboxView = NonNullable<Api.ConversationListQuery['view']>;
/** The `sort` query parameter: the conversation's creation or its latest message. */
export type SortField = NonNullable<Api.ConversationListQuery['sort']>;
export type SortOrder = NonNullable<Api.ConversationListQuery['order']>;

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
  /** Open conversations where the customer waits for us (`agent`) or we wait for the customer. */
  waiting?: NonNullable<Api.ConversationListQuery['waiting']>;
  /** Another of the user's teams (the `team` parameter). */
  team?: string;
}

// --- administration ------------------------------------------------------------------------

export type NotificationPreference = Api.NotificationPreference;
export type Profile = Api.Profile;
export type ConsentKeywords = Api.ConsentKeywords;
export type ServiceSettings = Api.ServiceSettingsOut;
export type TimeSpan = Api.TimeSpan;
export type Weekday = Api.Weekday;
export type OfficeHours = Api.OfficeHours;
export type AssignmentPolicy = Api.AssignmentPolicy;
export type TeamSettings = Api.TeamSettings;
export type ChannelAccount = Api.ChannelAccountView;
export type ChannelAccountInput = Api.ChannelAccountInput;
export type RoutingRule = Api.RoutingRule;
export type QuickReplyGroup = Api.QuickReplyGroup;
export type AgentActivity = Api.AgentActivity;
export type Statistics = Api.StatisticsOut;
