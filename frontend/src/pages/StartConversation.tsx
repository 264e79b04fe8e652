// The start-conversation wizard (loaded on first use): channel and account, contact, message
// or template, review. The conversation starts assigned to the agent, in "Assigned to me".

import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { Dialog } from '../components/Dialog';
import { CHANNELS } from '../components/FilterDialog';
import { TemplateForm, filledBody, templateComplete, templateToSend } from '../components/TemplateForm';
import { channelCapabilities } from '../lib/directory';
import { channelInfo } from '../lib/format';
import type { ChannelCapabilities, Me, Page, StartConversationInput, TeamChannelAccount, Template, TemplateChoice } from '../types';
import { t } from '../lib/i18n';

export interface StartConversationProps {
  me: Me;
  onClose(): void;
  onStarted(conversationId: string): void;
}

interface AccountChoice {
  id: string;
  channel: string;
  name: string;
}

/** Channels whose customers are addressed by phone number (the API's PHONE_CHANNELS). */
const PHONE_CHANNELS = new Set(['whatsapp', 'sms']);

/** The enabled channel accounts of the agent's teams (every account for administrators and watchers). */
async function loadAccounts(): Promise<AccountChoice[]> {
  const found: AccountChoice[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<TeamChannelAccount> = await api.teamChannelAccounts(cursor);
    found.push(...page.items.filter((account) => account.enabled).map(({ id, channel, name }) => ({ id, channel, name })));
    cursor = page.next_cursor;
  } while (cursor);
  return found;
}

const STEPS = ['start.step_channel', 'start.step_contact', 'start.step_message', 'start.step_review'] as const;

export function StartConversation({ onClose, onStarted }: StartConversationProps) {
  const [step, setStep] = useState(0);
  const [accounts, setAccounts] = useState<AccountChoice[] | null>(null);
  const [capabilities, setCapabilities] = useState<Map<string, ChannelCapabilities>>(new Map());
  const [channel, setChannel] = useState('');
  const [accountId, setAccountId] = useState('');
  const [contact, setContact] = useState('');
  const [name, setName] = useState('');
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [choice, setChoice] = useState<TemplateChoice | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    loadAccounts().then(setAccounts, (caught: unknown) => {
      setAccounts([]);
      setError(errorMessage(caught));
    });
    channelCapabilities().then(setCapabilities, () => undefined);
  }, []);

  useEffect(() => {
    setTemplates(null);
    setChoice(null);
    if (!accountId) return;
    api.accountTemplates(accountId).then(
      (answer) => setTemplates(answer.items),
      () => setTemplates([]),
    );
  }, [accountId]);

  const channels = CHANNELS.filter((id) => accounts?.some((account) => account.channel === id));
  const ofChannel = accounts?.filter((account) => account.channel === channel) ?? [];
  const account = accounts?.find((candidate) => candidate.id === accountId);
  const byPhone = PHONE_CHANNELS.has(channel);
  const caps = capabilities.get(channel);
  // where the channel has a reply window, only a template may open the conversation
  const templateOnly = caps ? caps.window_hours !== null : channel === 'whatsapp';
  const useTemplate = templateOnly || (choice !== null && !text.trim());
  const digits = contact.replace(/\D/g, '');
  const contactOk = byPhone ? /^\+?[\d\s().-]+$/.test(contact.trim()) && digits.length >= 6 : contact.trim() !== '';
  const messageOk = useTemplate ? templates !== null && templateComplete(templates, choice) : text.trim() !== '';
  const template = choice && templates?.find((t) => t.name === choice.name && t.language === choice.language);

  const canNext = [!!account, contactOk, messageOk, true][step] ?? false;

  const send = async (): Promise<void> => {
    if (!account) return;
    setBusy(true);
    setError(null);
    const input: StartConversationInput = { account_id: account.id };
    if (byPhone) input.phone = contact.trim();
    else input.customer_id = contact.trim();
    if (name.trim()) input.customer_name = name.trim();
    if (useTemplate && choice && templates) input.template = templateToSend(templates, choice);
    else input.text = text.trim();
    try {
      const started = await api.startConversation(input);
      onStarted(started.conversation.id);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('start.title', { step: step + 1 })} testId="start-conversation" onClose={onClose}>
      <h3 class="wizard__step">{t(STEPS[step] ?? 'start.step_channel')}</h3>
      {step === 0 &&
        (accounts === null ? (
          <p class="muted">{t('app.loading')}</p>
        ) : accounts.length === 0 ? (
          <p class="muted" data-testid="no-accounts">
            {t('start.no_accounts')}
          </p>
        ) : (
          <div class="form-row">
            <label class="field">
              <span class="field__label">{t('filter.channel')}</span>
              <select aria-label={t('filter.channel')}
                class="select"
                value={channel}
                onChange={(event) => {
                  setChannel(event.currentTarget.value);
                  const first = accounts.filter((a) => a.channel === event.currentTarget.value);
                  setAccountId(first.length === 1 ? (first[0]?.id ?? '') : '');
                }}
              >
                <option value="">{t('start.select_channel')}</option>
                {channels.map((id) => (
                  <option key={id} value={id}>
                    {channelInfo(id).label}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field__label">{t('templates.account')}</span>
              <select aria-label={t('templates.account')}
                class="select"
                value={accountId}
                disabled={!channel}
                onChange={(event) => setAccountId(event.currentTarget.value)}
              >
                <option value="">{t('start.select_account')}</option>
                {ofChannel.map((item) => (
                  <option key={item.id} value={item.id}>
                    {item.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        ))}
      {step === 1 && (
        <div class="form-row">
          <label class="field">
            <span class="field__label">{byPhone ? t('start.phone') : t('start.customer_id_on', { channel: channelInfo(channel).label })}</span>
            <input
              type="text"
              inputMode={byPhone ? 'tel' : 'text'}
              maxLength={byPhone ? 32 : 320}
              value={contact}
              placeholder={byPhone ? '+31 6 12345678' : ''}
              aria-invalid={contact && !contactOk ? true : undefined}
              onInput={(event) => setContact(event.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">{t('start.name_optional')}</span>
            <input type="text" maxLength={200} value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          {contact && !contactOk && <p class="reply__missing">{t('start.number_form')}</p>}
          <p class="muted">{t('start.consent')}</p>
        </div>
      )}
      {step === 2 && (
        <div class="template-form">
          {templateOnly ? (
            <p class="muted">
              {t('start.template_only', { channel: channelInfo(channel).label })}
            </p>
          ) : (
            <label class="field">
              <span class="field__label">{t('start.message')}</span>
              <textarea
                rows={4}
                maxLength={caps?.max_text_length ?? 100_000}
                value={text}
                onInput={(event) => setText(event.currentTarget.value)}
              />
            </label>
          )}
          {templateOnly &&
            (templates === null ? (
              <p class="muted">{t('app.loading')}</p>
            ) : (
              <TemplateForm templates={templates} choice={choice} onChange={setChoice} />
            ))}
        </div>
      )}
      {step === 3 && account && (
        <dl class="info__list review" data-testid="start-review">
          <dt>{t('filter.channel')}</dt>
          <dd>{channelInfo(channel).label}</dd>
          <dt>{t('templates.account')}</dt>
          <dd>{account.name}</dd>
          <dt>{byPhone ? t('start.phone') : t('start.customer_id')}</dt>
          <dd>{contact.trim()}</dd>
          {name.trim() && (
            <>
              <dt>{t('users.name')}</dt>
              <dd>{name.trim()}</dd>
            </>
          )}
          <dt>{t('start.message')}</dt>
          <dd class="template-preview">{useTemplate && template && choice ? filledBody(template, choice.variables) : text.trim()}</dd>
        </dl>
      )}
      <p class={error ? 'dialog__error' : 'dialog__error dialog__error--empty'} role="alert">
        {error}
      </p>
      <div class="dialog__actions">
        <button type="button" class="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        {step > 0 && (
          <button type="button" class="button" disabled={busy} onClick={() => setStep(step - 1)}>
            {t('conversation.back')}
          </button>
        )}
        {step < 3 ? (
          <button type="button" class="button button--primary" disabled={!canNext} onClick={() => setStep(step + 1)}>
            {t('start.next')}
          </button>
        ) : (
          <button type="button" class="button button--primary" disabled={busy} onClick={() => void send()}>
            {t('reply.send')}
          </button>
        )}
      </div>
    </Dialog>
  );
}
