import type { ComponentChild } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { useConversationThread } from '../hooks/useConversationThread';
import { reportError, useAlerts } from '../lib/alerts';
import { copyText } from '../lib/clipboard';
import { type CustomerView, type ReplyRoute, addressValue, consentOf, customerApi, routeKey } from '../lib/customers';
import { t, tParts } from '../lib/i18n';
import { canWork, useCapabilities, useMemberNames } from '../lib/directory';
import { channelInfo, customerLabel, fullTime, impersonatesStaff, timeUntil } from '../lib/format';
import { infoPanelPref, usePref } from '../lib/prefs';
import { keysText, shortcut, useShortcut } from '../lib/shortcuts';
import { USER_CONTENT, userValues } from '../lib/userContent';
import type { Conversation, Me, Message } from '../types';
import { ArchiveDialog, AssignDialog, ExportDialog, TagDialog } from './ActionDialogs';
import { ActionsMenu } from './ActionsMenu';
import { ChannelBadge } from './ChannelBadge';
import { NotStaff } from './ConversationRow';
import { Icon } from './Icon';
import { CUSTOMER_PANEL_ID, CustomerPanel, conversationSummary } from './CustomerPanel';
import { MessageThread } from './MessageThread';
import { ReplyBox, type SentAttachment } from './ReplyBox';
import { StateBadge } from './StateBadge';
import { TemplateDialog } from './TemplateDialog';
import { Worded } from './Worded';

type ActionDialog = 'assign' | 'tag' | 'archive' | 'export' | 'template';

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
  const [dialog, setDialog] = useState<ActionDialog | null>(null);
  const { detail } = thread;
  const conversation = detail?.conversation ?? null;
  const names = useMemberNames(me.team_id);
  const capabilities = useCapabilities(conversation?.channel ?? null);
  const working = canWork(me.user.role);
  const assigning = working || me.user.role === 'supervisor';
  const seenKey = useRef(refreshKey);
  const { refresh } = thread;
  const [customer, setCustomer] = useState<CustomerView | null>(null);
  const [routes, setRoutes] = useState<ReplyRoute[] | null>(null);
  // The route the agent chose to reply on (its key); null: the next reply's own.
  const [chosenRoute, setChosenRoute] = useState<string | null>(null);

  // The customer beside the conversation (the panel's profile) and where a reply can go (the
  // header's "next reply", the Send on choice and the opt-out banner, all before writing).
  const loadCustomer = useCallback(
    (signal?: AbortSignal) => {
      customerApi.forConversation(conversationId, signal).then(setCustomer, () => undefined);
      customerApi.replyRoutes(conversationId, signal).then((answer) => setRoutes(answer.items), () => undefined);
    },
    [conversationId],
  );
  useEffect(() => {
    const controller = new AbortController();
    loadCustomer(controller.signal);
    return () => controller.abort();
  }, [loadCustomer]);

  useEffect(() => {
    if (seenKey.current === refreshKey) return;
    seenKey.current = refreshKey;
    refresh();
    loadCustomer();
  }, [refreshKey, refresh, loadCustomer]);

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

  const nextRoute = routes?.find((route) => route.next) ?? routes?.[0] ?? null;
  const replyRoute = routes?.find((route) => routeKey(route) === chosenRoute) ?? nextRoute;
  // An email reply with no customer mail to answer starts a thread of its own: it needs a subject.
  const startsEmailThread = replyRoute !== null && replyRoute.channel === 'email' && !replyRoute.reply_to;

  const send = async (text: string, attachments: SentAttachment[], subject: string | null): Promise<boolean> => {
    if (!conversation) return false;
    try {
      // named, so the reply goes where the header says even if the customer writes elsewhere meanwhile
      const message = await api.sendMessage(conversation.id, text, attachments, replyRoute?.reply_to ?? null, subject);
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

  /** A failed reply again, as it was: the same text and attachments, or the same template and values. */
  const resend = async (message: Message): Promise<void> => {
    if (!conversation) return;
    try {
      const template = message.template;
      const sent = template
        ? await api.sendTemplate(conversation.id, {
            name: template.name,
            language: template.language,
            variables: Object.fromEntries(
              (template.variables ?? []).map((value, index) => [template.parameter_names?.[index] ?? String(index + 1), value]),
            ),
          })
        : await api.sendMessage(
            conversation.id,
            message.text ?? '',
            (message.attachments ?? []).map((attachment) => ({ key: attachment.key, filename: attachment.filename ?? '' })),
            // on the route it was meant for, in a thread that spans channels
            routes?.find(
              (route) =>
                route.channel === (message.channel ?? conversation.channel) &&
                route.account_id === (message.account_id ?? conversation.account_id),
            )?.reply_to ?? null,
          );
      thread.addSentMessage(sent);
      alerts.clearError('general');
      alerts.notify(t('conversation.resent'));
      onChanged();
    } catch (error) {
      reportError(alerts, error);
    }
  };

  const reopen = async (): Promise<void> => {
    if (!conversation) return;
    try {
      applied(await api.reopen(conversation.id), t('conversation.reopened'));
    } catch (error) {
      reportError(alerts, error);
      thread.refresh();
    }
  };

  /** The conversation an action returned: shown at once, the lists read again. */
  const applied = (updated: Conversation, notice?: string): void => {
    thread.applyConversation(updated);
    alerts.clearError();
    if (notice) alerts.notify(notice);
    onChanged();
  };

  const mineNow = conversation?.state === 'assigned' && conversation.owner_id === me.user.id;
  const isAdmin = me.user.role === 'administrator';

  // The owner has it open: what the customer wrote is read (the lists' unread dot goes), also
  // when a new message arrives while it is open.
  const unreadMine = mineNow && conversation.unread;
  const lastCustomerMessage = conversation?.last_customer_message_at;
  const { applyConversation } = thread;
  useEffect(() => {
    if (!unreadMine) return undefined;
    let live = true;
    api.seen(conversationId).then(
      (updated) => {
        if (!live) return;
        applyConversation(updated);
        onChanged();
      },
      () => undefined, // the dot stays until the next look
    );
    return () => {
      live = false;
    };
  }, [unreadMine, lastCustomerMessage, conversationId, applyConversation, onChanged]);

  /** The action may run here, or the agent is told why not. */
  const allowed = (what: string, ok: boolean, why: string, roleMay = working): boolean => {
    if (!roleMay) {
      alerts.notify(t(me.user.role === 'supervisor' ? 'conversation.supervisors_cannot' : 'conversation.watchers_cannot', { what }));
      return false;
    }
    if (!ok) alerts.notify(why);
    return ok;
  };

  const handBack = async (): Promise<void> => {
    if (!conversation) return;
    try {
      applied(await api.handBack(conversation.id), t('conversation.handed_back'));
    } catch (error) {
      reportError(alerts, error);
      thread.refresh();
    }
  };

  useShortcut(
    'assign',
    conversation
      ? () => {
          if (!allowed(t('conversation.what_assign'), conversation.state !== 'archived', t('conversation.archived_no_assign'), assigning)) return;
          // supervisors assign but do not pick up
          if (conversation.state === 'new' && working) void pickUp();
          else setDialog('assign');
        }
      : null,
  );
  useShortcut(
    'handback',
    conversation
      ? () => {
          if (
            allowed(
              t('conversation.what_hand_back'),
              conversation.state === 'assigned' && (mineNow || isAdmin),
              conversation.state === 'assigned' ? t('conversation.owner_hands_back') : t('conversation.only_assigned_hand_back'),
            )
          ) {
            void handBack();
          }
        }
      : null,
  );
  useShortcut(
    'tag',
    conversation ? () => allowed(t('conversation.what_tag'), true, '') && setDialog('tag') : null,
  );
  useShortcut(
    'archive',
    conversation
      ? () => {
          const ok =
            conversation.state === 'new' || (conversation.state === 'assigned' && (mineNow || isAdmin));
          const why = conversation.state === 'archived' ? t('conversation.archived_already') : t('conversation.owner_archives');
          if (allowed(t('conversation.what_archive'), ok, why)) setDialog('archive');
        }
      : null,
  );
  useShortcut('export', conversation ? () => setDialog('export') : null);
  // Ctrl+Q belongs to the reply box; without one, say why there is none
  useShortcut(
    'quick-reply',
    conversation && !mineNow
      ? () => alerts.notify(working ? t('conversation.pick_up_to_reply') : t('conversation.watchers_no_reply'))
      : null,
  );
  useShortcut(
    'copy',
    conversation
      ? () => {
          void copyText(conversationSummary(conversation)).then((copied) =>
            alerts.notify(copied ? t('conversation.copied') : t('conversation.copy_failed')),
          );
        }
      : null,
  );
  useShortcut('info', conversation ? () => setShowInfo(!showInfo) : null);

  const back = (
    <button type="button" class="button button--quiet back" onClick={onBack}>
      <Icon name="back" size={16} /> {t('conversation.back')}
    </button>
  );

  if (!detail || !conversation) {
    return (
      <section class="conversation" aria-label={t('conversation.label')}>
        <div class="conversation__head">{back}</div>
        <p class="muted pad">{thread.unavailable ?? t('app.loading')}</p>
      </section>
    );
  }

  const mine = conversation.state === 'assigned' && conversation.owner_id === me.user.id;
  const name = customerLabel(conversation);
  // The reply's route when known, else the conversation's own.
  const optOut = replyRoute
    ? replyRoute.opted_out
      ? { channel: replyRoute.channel, address: replyRoute.customer_id, changed_at: replyRoute.opted_out_at ?? null, opted_out: true }
      : null
    : customer
      ? consentOf(customer, conversation.channel, addressValue(conversation.channel, conversation.customer_id, conversation.account_id))
      : null;
  const optedOut = optOut?.opted_out === true;
  const windowOpen = replyRoute ? replyRoute.window_open : detail.window_open;
  const windowClosesAt = replyRoute ? (replyRoute.window_closes_at ?? null) : detail.window_closes_at;
  const accountNames = new Map((routes ?? []).map((route) => [route.account_id, route.account_name ?? route.account_id]));
  const crossChannel = (routes?.length ?? 0) > 1;
  // Every message names the channel and account it came or went on (once the routes are known).
  const markerOf = routes
    ? (message: Message) => {
        const channel = message.channel ?? conversation.channel;
        const accountId = message.account_id ?? conversation.account_id;
        return { channel, account: accountNames.get(accountId) ?? accountId };
      }
    : null;
  const info = shortcut('info');

  return (
    <section class="conversation" aria-label={t('conversation.with', { name })} {...userValues(name)}>
      <div class="conversation__head">
        {back}
        <div class="conversation__title">
          <h2 class="conversation__name" data-testid="conversation-name" {...USER_CONTENT}>
            {name}
          </h2>
          {impersonatesStaff(conversation.customer_name, names.values()) && (
            <NotStaff address={conversation.customer_id} />
          )}
          <div class="conversation__facts">
            <ChannelBadge channel={conversation.channel} showLabel />
            <StateBadge state={conversation.state} />
            <span class="muted" data-testid="owner">
              {ownerText(conversation, me, names)}
            </span>
            <WindowNote open={windowOpen} closesAt={windowClosesAt} />
            {replyRoute && (
              <span class={crossChannel ? 'next-route next-route--choice' : 'next-route'} data-testid="next-route" data-channel={replyRoute.channel}>
                <Worded parts={tParts('conversation.next_reply', routeValues(replyRoute))} />
              </span>
            )}
          </div>
        </div>
        <div class="conversation__actions">
          {conversation.state === 'new' && working && (
            <button
              type="button"
              class="button button--primary"
              disabled={pickingUp}
              aria-keyshortcuts="Alt+A"
              title={t('conversation.pick_up_hint')}
              onClick={() => void pickUp()}
            >
              {t('conversation.pick_up')}
            </button>
          )}
          {conversation.state === 'archived' && working && (
            <button type="button" class="button button--primary" data-testid="reopen" title={t('conversation.reopen_hint')} onClick={() => void reopen()}>
              {t('conversation.reopen')}
            </button>
          )}
          {mine && detail.window_open && capabilities?.templates && (
            <button type="button" class="button" data-testid="open-templates" onClick={() => setDialog('template')}>
              {t('conversation.template')}
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
            {t('conversation.info')}
          </button>
          <ActionsMenu />
          {dialog === 'assign' && (
            <AssignDialog
              conversation={conversation}
              me={me}
              onClose={() => setDialog(null)}
              onDone={(updated) => {
                setDialog(null);
                applied(updated, t('conversation.assigned_to', { name: names.get(updated.owner_id ?? '') ?? t('conversation.your_colleague') }));
              }}
            />
          )}
          {dialog === 'tag' && (
            <TagDialog conversation={conversation} mayCreateTags={me.may_create_tags} onClose={() => setDialog(null)} onDone={(updated) => applied(updated)} />
          )}
          {dialog === 'archive' && (
            <ArchiveDialog
              conversation={conversation}
              mayCreateTags={me.may_create_tags}
              onClose={() => setDialog(null)}
              onDone={(updated) => {
                setDialog(null);
                applied(updated, t('conversation.archived_notice'));
              }}
            />
          )}
          {dialog === 'export' && <ExportDialog conversation={conversation} onClose={() => setDialog(null)} />}
          {dialog === 'template' && (
            <TemplateDialog
              conversation={conversation}
              replyTo={replyRoute?.reply_to ?? null}
              onClose={() => setDialog(null)}
              onSent={(message) => {
                setDialog(null);
                thread.addSentMessage(message);
                alerts.clearError('general');
                onChanged();
              }}
            />
          )}
        </div>
      </div>

      <div class={showInfo ? 'conversation__body conversation__body--info' : 'conversation__body'}>
        <div class="conversation__main">
          <MessageThread
            messages={thread.messages}
            hasOlder={thread.hasOlder}
            loadingOlder={thread.loadingOlder}
            onLoadOlder={thread.loadOlder}
            onMediaExpired={thread.reload}
            onResend={mine ? resend : undefined}
            markerOf={markerOf}
          />
          {optedOut && optOut && (
            <div class="banner banner--danger" data-testid="opted-out" role="note">
              {t('customer.opted_out_banner', {
                channel: channelInfo(optOut.channel).label,
                address: optOut.address,
                time: fullTime(optOut.changed_at),
              })}
            </div>
          )}
          {mine && (
            <div class="composer">
              {routes && routes.length > 1 && (
                <label class="reply-route">
                  <span>{t('conversation.reply_on')}</span>
                  <select
                    class="select"
                    data-testid="reply-route"
                    value={replyRoute ? routeKey(replyRoute) : ''}
                    onChange={(event) => setChosenRoute(event.currentTarget.value)}
                  >
                    {routes.map((route) => (
                      <option key={routeKey(route)} value={routeKey(route)}>
                        <Worded parts={tParts(route.opted_out ? 'conversation.route_opted_out' : 'conversation.route', routeValues(route))} />
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {!windowOpen && (
                <div class="banner banner--row" data-testid="window-closed" role="note">
                  <span>
                    {capabilities && !capabilities.templates
                      ? t('conversation.window_closed_wait', { channel: channelInfo(replyRoute?.channel ?? conversation.channel).label })
                      : t('conversation.window_closed_template')}
                    {windowClosesAt && (
                      <span class="muted"> {t('conversation.closed_at', { time: fullTime(windowClosesAt) })}</span>
                    )}
                  </span>
                  {(!capabilities || capabilities.templates) && (
                    <button type="button" class="button button--primary" onClick={() => setDialog('template')}>
                      {t('conversation.send_template')}
                    </button>
                  )}
                </div>
              )}
              <ReplyBox
                conversationId={conversation.id}
                channel={conversation.channel}
                mediaRefusal={detail.media_refusal ?? null}
                disabled={!windowOpen || optedOut}
                asksSubject={startsEmailThread}
                onSend={send}
              />
            </div>
          )}
        </div>
        {showInfo && (
          <CustomerPanel
            conversation={conversation}
            me={me}
            ownerName={names.get(conversation.owner_id ?? '') ?? null}
            canWork={working}
            customer={customer}
            onCustomerChanged={setCustomer}
          />
        )}
      </div>
    </section>
  );
}

/** A route as the header and the Send on choice name it: channel, account (by name) and address. */
function routeValues(route: ReplyRoute): { channel: string; account: string; address: string } {
  return { channel: channelInfo(route.channel).label, account: route.account_name ?? route.account_id, address: route.customer_id };
}

function ownerText(conversation: Conversation, me: Me, names: Map<string, string>): ComponentChild {
  if (conversation.state === 'new') return t('conversation.waiting_pick_up');
  if (conversation.state === 'archived') return t('conversation.archived');
  if (!conversation.owner_id) return '';
  if (conversation.owner_id === me.user.id) return t('conversation.assigned_to_you');
  const name = names.get(conversation.owner_id);
  return name ? <Worded parts={tParts('conversation.assigned_to_name', { name })} /> : t('conversation.assigned_to_other');
}

function WindowNote({ open, closesAt }: { open: boolean; closesAt: string | null }) {
  if (!open) return <span class="muted">{t('conversation.window_closed')}</span>;
  const left = timeUntil(closesAt);
  if (!left) return null;
  return (
    <span class="muted" title={fullTime(closesAt)}>
      {t('conversation.window_closes_in', { left })}
    </span>
  );
}
