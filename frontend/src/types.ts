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
}

export interface ConversationDetail {
  conversation: Conversation;
  window_open: boolean;
  window_closes_at: string | null;
  needs_template: boolean;
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
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: string;
  team_ids: string[];
}

export interface Me {
  user: User;
  team_id: string;
}

export interface SignInResult {
  id_token: string;
  refresh_token: string | null;
  expires_in: number;
}

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}
