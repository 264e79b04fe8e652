// Shapes of the agent API's JSON bodies (see functions/app.py and shared/domain/outputs.py).
// Times are ISO 8601 strings in UTC.

export type ConversationState = 'new' | 'assigned' | 'archived';

/** The inbox tabs; the value is the `view` query parameter of GET /conversations. */
export type InboxView = 'new' | 'mine' | 'all';

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

export interface MessageError {
  code: string;
  message: string;
  permanent: boolean;
}

export interface Message {
  id: string;
  conversation_id: string;
  direction: MessageDirection;
  /** "text", "image", "document", "audio", "video", ... */
  kind: string;
  text: string | null;
  sent_at: string;
  status: MessageStatus;
  provider_message_id: string | null;
  author_id: string | null;
  error: MessageError | null;
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
