import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { useConversationThread } from '../hooks/useConversationThread';
import { reportError, useAlerts } from '../lib/alerts';
import { fullTime, timeUntil } from '../lib/format';
import type { Conversation, Me } from '../types';
import { ChannelBadge } from './ChannelBadge';
import { MessageThread } from './MessageThread';
import { ReplyBox } from './ReplyBox';
import { StateBadge } from './StateBadge';

export const WINDOW_CLOSED_TEXT = 'The 24-hour window is closed: only a template can be sent';

interface Props {
  conversationId: string;
  me: Me;
  /** Called after this view changed the conversation (picked up, replied). */
  onChanged(): void;
  onBack(): void;
}

/** Render with `key={conversationId}`. */
export function ConversationView({ conversationId, me, onChanged, onBack }: Props) {
  const alerts = useAlerts();
  const thread = useConversationThread(conversationId);
  const [pickingUp, setPickingUp] = useState(false);
  const { detail } = thread;

  const back = (
    <button type="button" class="button button--quiet back" onClick={onBack}>
      ← Back
    </button>
  );

  if (!detail) {
    return (
      <section class="conversation" aria-label="Conversation">
        <div class="conversation__head">{back}</div>
        <p class="muted pad">{thread.unavailable ?? 'Loading…'}</p>
      </section>
    );
  }

  const conversation = detail.conversation;
  const mine = conversation.state === 'assigned' && conversation.owner_id === me.user.id;
  const name = conversation.customer_name || conversation.customer_id;

  const pickUp = async (): Promise<void> => {
    setPickingUp(true);
    try {
      const updated = await api.pickUp(conversation.id);
      thread.applyConversation(updated);
      alerts.clearError();
      onChanged();
    } catch (error) {
      reportError(alerts, error);
      if (error instanceof ApiError && error.status === 409) {
        thread.refresh(); // someone else took it: show who has it now
        onChanged();
      }
    } finally {
      setPickingUp(false);
    }
  };

  const send = async (text: string): Promise<boolean> => {
    try {
      const message = await api.sendMessage(conversation.id, text);
      thread.addSentMessage(message);
      alerts.clearError('general');
      onChanged();
      return true;
    } catch (error) {
      reportError(alerts, error);
      thread.refresh();
      return false;
    }
  };

  return (
    <section class="conversation" aria-label={`Conversation with ${name}`}>
      <div class="conversation__head">
        {back}
        <div class="conversation__title">
          <h2 class="conversation__name">{name}</h2>
          <div class="conversation__facts">
            <ChannelBadge channel={conversation.channel} showLabel />
            <StateBadge state={conversation.state} />
            <span class="muted">{ownerText(conversation, me)}</span>
            <WindowNote open={detail.window_open} closesAt={detail.window_closes_at} />
          </div>
        </div>
        {conversation.state === 'new' && (
          <button
            type="button"
            class="button button--primary"
            disabled={pickingUp}
            onClick={() => void pickUp()}
          >
            Pick up
          </button>
        )}
      </div>

      <MessageThread messages={thread.messages} />

      {mine && (
        <div class="composer">
          {!detail.window_open && (
            <p class="banner" data-testid="window-closed">
              {WINDOW_CLOSED_TEXT}
            </p>
          )}
          <ReplyBox disabled={!detail.window_open} onSend={send} />
        </div>
      )}
    </section>
  );
}

function ownerText(conversation: Conversation, me: Me): string {
  if (conversation.state === 'new') return 'Waiting to be picked up';
  if (!conversation.owner_id) return '';
  return conversation.owner_id === me.user.id ? 'Assigned to you' : 'Assigned to another agent';
}

function WindowNote({ open, closesAt }: { open: boolean; closesAt: string | null }) {
  if (!open) return <span class="muted">Window closed</span>;
  const left = timeUntil(closesAt);
  if (!left) return null;
  return (
    <span class="muted" title={fullTime(closesAt)}>
      Window closes in {left}
    </span>
  );
}
