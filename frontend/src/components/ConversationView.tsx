import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { useConversationThread } from '../hooks/useConversationThread';
import { reportError, useAlerts } from '../lib/alerts';
import { copyText } from '../lib/clipboard';
import { customerLabel, fullTime, timeUntil } from '../lib/format';
import { infoPanelPref, usePref } from '../lib/prefs';
import { keysText, shortcut, useShortcut } from '../lib/shortcuts';
import type { Conversation, Me } from '../types';
import { ActionsMenu } from './ActionsMenu';
import { ChannelBadge } from './ChannelBadge';
import { CUSTOMER_PANEL_ID, CustomerPanel, conversationSummary } from './CustomerPanel';
import { MessageThread } from './MessageThread';
import { ReplyBox } from './ReplyBox';
import { StateBadge } from './StateBadge';

export const WINDOW_CLOSED_TEXT = 'The 24-hour window is closed: only a template can be sent';

interface Props {
  conversationId: string;
  me: Me;
  /** Changes when something else may have changed the conversation: it is read again at once. */
  refreshKey: number;
  /** Called after this view changed the conversation (picked up, replied). */
  onChanged(): void;
  onBack(): void;
}

/** Render with `key={conversationId}`. */
export function ConversationView({ conversationId, me, refreshKey, onChanged, onBack }: Props) {
  const alerts = useAlerts();
  const thread = useConversationThread(conversationId);
  const [pickingUp, setPickingUp] = useState(false);
  const [showInfo, setShowInfo] = usePref(infoPanelPref);
  const { detail } = thread;
  const conversation = detail?.conversation ?? null;
  const seenKey = useRef(refreshKey);
  const { refresh } = thread;

  useEffect(() => {
    if (seenKey.current === refreshKey) return;
    seenKey.current = refreshKey;
    refresh();
  }, [refreshKey, refresh]);

  const pickUp = async (): Promise<void> => {
    if (!conversation || pickingUp) return;
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
    if (!conversation) return false;
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

  useShortcut(
    'assign',
    conversation
      ? () => {
          if (conversation.state === 'new') void pickUp();
          else alerts.notify('Assigning to another agent is not available yet.');
        }
      : null,
  );
  useShortcut(
    'copy',
    conversation
      ? () => {
          void copyText(conversationSummary(conversation)).then((copied) =>
            alerts.notify(copied ? 'Copied the customer and conversation ID.' : 'Could not copy to the clipboard.'),
          );
        }
      : null,
  );
  useShortcut('info', conversation ? () => setShowInfo(!showInfo) : null);

  const back = (
    <button type="button" class="button button--quiet back" onClick={onBack}>
      ← Back
    </button>
  );

  if (!detail || !conversation) {
    return (
      <section class="conversation" aria-label="Conversation">
        <div class="conversation__head">{back}</div>
        <p class="muted pad">{thread.unavailable ?? 'Loading…'}</p>
      </section>
    );
  }

  const mine = conversation.state === 'assigned' && conversation.owner_id === me.user.id;
  const name = customerLabel(conversation);
  const info = shortcut('info');

  return (
    <section class="conversation" aria-label={`Conversation with ${name}`}>
      <div class="conversation__head">
        {back}
        <div class="conversation__title">
          <h2 class="conversation__name" data-testid="conversation-name">
            {name}
          </h2>
          <div class="conversation__facts">
            <ChannelBadge channel={conversation.channel} showLabel />
            <StateBadge state={conversation.state} />
            <span class="muted">{ownerText(conversation, me)}</span>
            <WindowNote open={detail.window_open} closesAt={detail.window_closes_at} />
          </div>
        </div>
        <div class="conversation__actions">
          {conversation.state === 'new' && (
            <button
              type="button"
              class="button button--primary"
              disabled={pickingUp}
              aria-keyshortcuts="Alt+A"
              title="Assign to me (Alt+A)"
              onClick={() => void pickUp()}
            >
              Pick up
            </button>
          )}
          <button
            type="button"
            class="button"
            aria-pressed={showInfo}
            aria-controls={CUSTOMER_PANEL_ID}
            aria-keyshortcuts={keysText(info)}
            title={`${info.label} (${keysText(info)})`}
            onClick={() => setShowInfo(!showInfo)}
          >
            Info
          </button>
          <ActionsMenu />
        </div>
      </div>

      <div class={showInfo ? 'conversation__body conversation__body--info' : 'conversation__body'}>
        <div class="conversation__main">
          <MessageThread messages={thread.messages} onMediaExpired={thread.reload} />
          {mine && (
            <div class="composer">
              {!detail.window_open && (
                <p class="banner" data-testid="window-closed" role="note">
                  {WINDOW_CLOSED_TEXT}
                  {detail.window_closes_at && (
                    <span class="muted"> (closed {fullTime(detail.window_closes_at)})</span>
                  )}
                </p>
              )}
              <ReplyBox disabled={!detail.window_open} onSend={send} />
            </div>
          )}
        </div>
        {showInfo && <CustomerPanel conversation={conversation} me={me} />}
      </div>
    </section>
  );
}

function ownerText(conversation: Conversation, me: Me): string {
  if (conversation.state === 'new') return 'Waiting to be picked up';
  if (conversation.state === 'archived') return 'Archived';
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
