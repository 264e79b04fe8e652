// The start-conversation wizard (loaded on first use): channel and account, contact (found in
// the address book: the customer search, offering the customer's addresses on the chosen
// channel; or typed), message or template (with a subject for email), review. The conversation
// starts assigned to the agent, in "Assigned to me".

import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { Dialog } from '../components/Dialog';
import { CHANNELS } from '../components/FilterDialog';
import { TemplateForm, filledBody, templateComplete, templateToSend } from '../components/TemplateForm';
import { channelCapabilities } from '../lib/directory';
import { type AddressView, customerApi } from '../lib/customers';
import { type CustomerSummary, guessField, searchCustomers } from '../lib/customerSearch';
import { channelInfo } from '../lib/format';
import { type MessageKey, t } from '../lib/i18n';
import type { ChannelCapabilities, Me, Page, StartConversationInput, TeamChannelAccount, Template, TemplateChoice } from '../types';
import { USER_CONTENT } from '../lib/userContent';

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

const STEPS: readonly MessageKey[] = ['wizard.step_channel', 'wizard.step_contact', 'wizard.step_message', 'wizard.step_review'];

/** The value to start with for an address of the customer on an account's channel (an API address names its account). */
function contactValue(address: AddressView, channel: string, accountId: string): string | null {
  if (!address.channels.includes(channel as AddressView['channels'][number])) return null;
  if (channel === 'api') {
    const prefix = `${accountId}/`;
    return address.value.startsWith(prefix) ? address.value.slice(prefix.length) : null;
  }
  return address.value;
}

interface AddressBookProps {
  channel: string;
  accountId: string;
  chosen: string;
  onChoose(contact: string, name: string): void;
}

/** Step 2's address book: find customers, then pick one of their addresses on the channel. */
function AddressBook({ channel, accountId, chosen, onChoose }: AddressBookProps) {
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<CustomerSummary[] | null>(null);
  const [picked, setPicked] = useState<{ id: string; name: string; addresses: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const search = async (): Promise<void> => {
    const text = term.trim();
    if (!text) return;
    setBusy(true);
    setError(null);
    setPicked(null);
    try {
      setFound((await searchCustomers(guessField(text), text, { limit: 10 })).items);
    } catch (caught) {
      setError(errorMessage(caught));
      setFound(null);
    } finally {
      setBusy(false);
    }
  };

  const pick = async (customer: CustomerSummary): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const view = await customerApi.get(customer.id);
      const addresses = view.addresses
        .map((address) => contactValue(address, channel, accountId))
        .filter((value): value is string => value !== null);
      const name = view.profile.name ?? '';
      setPicked({ id: customer.id, name, addresses });
      if (addresses.length === 1 && addresses[0]) onChoose(addresses[0], name);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="address-book" data-testid="address-book">
      <div class="customers-search">
        <label class="field customers-search__term">
          <span class="field__label">{t('wizard.find_customer')}</span>
          <input
            type="search"
            maxLength={320}
            value={term}
            placeholder={t('customers.search_placeholder')}
            onInput={(event) => setTerm(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                void search();
              }
            }}
          />
        </label>
        <button type="button" class="button" disabled={busy || !term.trim()} onClick={() => void search()}>
          {t('customers.search')}
        </button>
      </div>
      {error && <p class="reply__missing">{error}</p>}
      {found !== null && !picked && (
        found.length === 0 ? (
          <p class="muted">{t('customers.none', { term: term.trim() })}</p>
        ) : (
          <ul class="customers-list" aria-label={t('customers.results')}>
            {found.map((customer) => (
              <li key={customer.id} class="customers-list__row">
                <button type="button" class="button button--quiet customers-list__link" onClick={() => void pick(customer)}>
                  <span class="customers-list__name">{customer.name || t('customer.unnamed')}</span>
                  {customer.matched !== customer.name && <span class="muted">{customer.matched}</span>}
                </button>
              </li>
            ))}
          </ul>
        )
      )}
      {picked && (
        <fieldset class="address-book__addresses">
          <legend>{t('wizard.addresses_of', { name: picked.name || t('customer.unnamed') })}</legend>
          {picked.addresses.length === 0 ? (
            <p class="muted" data-testid="no-address">{t('wizard.no_address', { channel: channelInfo(channel).label })}</p>
          ) : (
            picked.addresses.map((value) => (
              <label key={value} class="checkbox">
                <input
                  type="radio"
                  name="address-book-address"
                  checked={chosen === value}
                  onChange={() => onChoose(value, picked.name)}
                />
                <span>{value}</span>
              </label>
            ))
          )}
          <button type="button" class="button button--quiet" onClick={() => setPicked(null)}>
            {t('wizard.other_customer')}
          </button>
        </fieldset>
      )}
    </div>
  );
}

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
  const [subject, setSubject] = useState('');
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
  const isEmail = channel === 'email';
  const caps = capabilities.get(channel);
  // where the channel has a reply window, only a template may open the conversation
  const templateOnly = caps ? caps.window_hours !== null : channel === 'whatsapp';
  const useTemplate = templateOnly || (choice !== null && !text.trim());
  const digits = contact.replace(/\D/g, '');
  const contactOk = byPhone ? /^\+?[\d\s().-]+$/.test(contact.trim()) && digits.length >= 6 : contact.trim() !== '';
  const messageOk =
    (useTemplate ? templates !== null && templateComplete(templates, choice) : text.trim() !== '') &&
    (!isEmail || subject.trim() !== '');
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
    if (isEmail && subject.trim()) input.subject = subject.trim();
    try {
      const started = await api.startConversation(input);
      onStarted(started.conversation.id);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('wizard.title', { step: step + 1 })} testId="start-conversation" onClose={onClose}>
      <h3 class="wizard__step">{t(STEPS[step] ?? 'wizard.step_channel')}</h3>
      {step === 0 &&
        (accounts === null ? (
          <p class="muted">{t('wizard.loading')}</p>
        ) : accounts.length === 0 ? (
          <p class="muted" data-testid="no-accounts">
            {t('wizard.no_accounts')}
          </p>
        ) : (
          <div class="form-row">
            <label class="field">
              <span class="field__label">{t('wizard.channel')}</span>
              <select aria-label={t('wizard.channel')}
                class="select"
                value={channel}
                onChange={(event) => {
                  setChannel(event.currentTarget.value);
                  setContact('');
                  const first = accounts.filter((a) => a.channel === event.currentTarget.value);
                  setAccountId(first.length === 1 ? (first[0]?.id ?? '') : '');
                }}
              >
                <option value="">{t('wizard.select_channel')}</option>
                {channels.map((id) => (
                  <option key={id} value={id}>
                    {channelInfo(id).label}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field__label">{t('wizard.account')}</span>
              <select aria-label={t('wizard.account')}
                class="select"
                value={accountId}
                disabled={!channel}
                onChange={(event) => setAccountId(event.currentTarget.value)}
              >
                <option value="">{t('wizard.select_account')}</option>
                {ofChannel.map((item) => (
                  <option key={item.id} value={item.id} {...USER_CONTENT}>
                    {item.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        ))}
      {step === 1 && (
        <div class="form-row">
          <AddressBook
            channel={channel}
            accountId={accountId}
            chosen={contact}
            onChoose={(value, customerName) => {
              setContact(value);
              if (customerName) setName(customerName);
            }}
          />
          <label class="field">
            <span class="field__label">
              {byPhone ? t('wizard.phone') : t('wizard.customer_id', { channel: channelInfo(channel).label })}
            </span>
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
            <span class="field__label">{t('wizard.name_optional')}</span>
            <input type="text" maxLength={200} value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          {contact && !contactOk && <p class="reply__missing">{t('wizard.phone_invalid')}</p>}
          <p class="muted">{t('wizard.consent_hint')}</p>
        </div>
      )}
      {step === 2 && (
        <div class="template-form">
          {isEmail && (
            <label class="field">
              <span class="field__label">{t('wizard.subject')}</span>
              <input
                type="text"
                maxLength={200}
                value={subject}
                onInput={(event) => setSubject(event.currentTarget.value)}
              />
            </label>
          )}
          {templateOnly ? (
            <p class="muted">{t('wizard.template_only', { channel: channelInfo(channel).label })}</p>
          ) : (
            <label class="field">
              <span class="field__label">{t('wizard.message')}</span>
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
              <p class="muted">{t('wizard.loading')}</p>
            ) : (
              <TemplateForm templates={templates} choice={choice} onChange={setChoice} />
            ))}
        </div>
      )}
      {step === 3 && account && (
        <dl class="info__list review" data-testid="start-review">
          <dt>{t('wizard.channel')}</dt>
          <dd>{channelInfo(channel).label}</dd>
          <dt>{t('wizard.account')}</dt>
          <dd {...USER_CONTENT}>{account.name}</dd>
          <dt>{byPhone ? t('wizard.phone') : t('wizard.customer_id_short')}</dt>
          <dd>{contact.trim()}</dd>
          {name.trim() && (
            <>
              <dt>{t('wizard.name')}</dt>
              <dd>{name.trim()}</dd>
            </>
          )}
          {isEmail && (
            <>
              <dt>{t('wizard.subject')}</dt>
              <dd>{subject.trim()}</dd>
            </>
          )}
          <dt>{t('wizard.message')}</dt>
          <dd class="template-preview">{useTemplate && template && choice ? filledBody(template, choice.variables) : text.trim()}</dd>
        </dl>
      )}
      <p class={error ? 'dialog__error' : 'dialog__error dialog__error--empty'} role="alert">
        {error}
      </p>
      <div class="dialog__actions">
        <button type="button" class="button" onClick={onClose}>
          {t('wizard.cancel')}
        </button>
        {step > 0 && (
          <button type="button" class="button" disabled={busy} onClick={() => setStep(step - 1)}>
            {t('wizard.back')}
          </button>
        )}
        {step < 3 ? (
          <button type="button" class="button button--primary" disabled={!canNext} onClick={() => setStep(step + 1)}>
            {t('wizard.next')}
          </button>
        ) : (
          <button type="button" class="button button--primary" disabled={busy} onClick={() => void send()}>
            {t('wizard.send')}
          </button>
        )}
      </div>
    </Dialog>
  );
}
