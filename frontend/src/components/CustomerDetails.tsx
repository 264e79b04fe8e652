import { useEffect, useId, useState } from 'preact/hooks';
import { reportError, useAlerts } from '../lib/alerts';
import {
  type AddressView,
  type AttributeDefinition,
  type CommunicationEntry,
  type ConversationSummary,
  type CustomerView,
  attributeDefinitions,
  consentOf,
  customerApi,
} from '../lib/customers';
import { channelInfo, fullTime, shortTime, stateLabel } from '../lib/format';
import { t, tParts } from '../lib/i18n';
import { formatNumber } from '../lib/locale';
import { formatHash, inboxRoute } from '../lib/route';
import { USER_CONTENT } from '../lib/userContent';
import { ChannelBadge } from './ChannelBadge';
import { Worded } from './Worded';

interface Props {
  view: CustomerView;
  /** The profile after a change made here (an edit, an address, a consent). */
  onChanged(view: CustomerView): void;
  /** The conversation open beside the panel: marked in the list, not linked. */
  currentConversationId?: string | null;
}

/**
 * A customer's profile as agents work with it, beside a conversation and on the customer page:
 * name, language, first seen, every address with its channels and consent, custom attributes
 * (editable by those the API says may change the profile), their conversations on every channel
 * (newest first, one click away), the communication log and the merges. Every value is text.
 */
export function CustomerDetails({ view, onChanged, currentConversationId = null }: Props) {
  const definitions = useDefinitions();
  return (
    <div class="customer" data-testid="customer-details" data-customer-id={view.profile.id}>
      <ProfileSection view={view} definitions={definitions} onChanged={onChanged} />
      <AddressSection view={view} onChanged={onChanged} />
      <ConversationSection view={view} currentConversationId={currentConversationId} />
      <LogSection view={view} onChanged={onChanged} />
      <HistorySection view={view} />
    </div>
  );
}

function useDefinitions(): AttributeDefinition[] | null {
  const [found, setFound] = useState<AttributeDefinition[] | null>(null);
  useEffect(() => {
    let live = true;
    attributeDefinitions().then(
      (items) => live && setFound(items),
      () => live && setFound([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return found;
}

// --- profile: name, language, first seen, attributes ---------------------------------------

function ProfileSection({
  view,
  definitions,
  onChanged,
}: {
  view: CustomerView;
  definitions: AttributeDefinition[] | null;
  onChanged(view: CustomerView): void;
}) {
  const [editing, setEditing] = useState(false);
  const titleId = useId();
  const { profile } = view;
  const attributes = profile.attributes ?? {};
  return (
    <section aria-labelledby={titleId} data-testid="customer-profile">
      <div class="customer__head">
        <h3 class="info__title" id={titleId}>
          {t('customer.profile')}
        </h3>
        {view.may_change && !editing && (
          <button type="button" class="link-button" onClick={() => setEditing(true)}>
            {t('customer.edit')}
          </button>
        )}
      </div>
      {editing ? (
        <ProfileForm
          view={view}
          definitions={definitions ?? []}
          onCancel={() => setEditing(false)}
          onSaved={(updated) => {
            setEditing(false);
            onChanged(updated);
          }}
        />
      ) : (
        <dl class="info__list">
          <dt>{t('customer.name')}</dt>
          <dd data-testid="customer-name">{profile.name ? <span {...USER_CONTENT}>{profile.name}</span> : <span class="muted">{t('customer.no_name')}</span>}</dd>
          <dt>{t('customer.language')}</dt>
          <dd data-testid="customer-language" {...USER_CONTENT}>{profile.language || '—'}</dd>
          <dt>{t('customer.first_seen')}</dt>
          <dd data-testid="customer-first-seen">
            <time dateTime={profile.created_at}>{fullTime(profile.created_at)}</time>
          </dd>
          {(definitions ?? []).map((definition) => (
            <AttributeValue key={definition.key} definition={definition} value={attributes[definition.key]} />
          ))}
        </dl>
      )}
    </section>
  );
}

function AttributeValue({ definition, value }: { definition: AttributeDefinition; value: string | number | undefined }) {
  return (
    <>
      <dt {...USER_CONTENT}>{definition.label}</dt>
      <dd data-testid="customer-attribute" data-key={definition.key} {...USER_CONTENT}>
        {value === undefined ? '—' : typeof value === 'number' ? formatNumber(value) : value}
      </dd>
    </>
  );
}

function ProfileForm({
  view,
  definitions,
  onCancel,
  onSaved,
}: {
  view: CustomerView;
  definitions: AttributeDefinition[];
  onCancel(): void;
  onSaved(view: CustomerView): void;
}) {
  const alerts = useAlerts();
  const baseId = useId();
  const { profile } = view;
  const current = profile.attributes ?? {};
  const [name, setName] = useState(profile.name ?? '');
  const [language, setLanguage] = useState(profile.language ?? '');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(definitions.map((d) => [d.key, current[d.key] === undefined ? '' : String(current[d.key])])),
  );
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    const attributes: Record<string, string | number | null> = {};
    for (const definition of definitions) {
      const text = (values[definition.key] ?? '').trim();
      const before = current[definition.key] === undefined ? '' : String(current[definition.key]);
      if (text === before) continue;
      if (!text) attributes[definition.key] = null;
      else if (definition.type === 'number') {
        const number = Number(text.replace(',', '.'));
        if (!Number.isFinite(number)) {
          setError(t('customer.not_a_number', { label: definition.label }));
          return;
        }
        attributes[definition.key] = number;
      } else attributes[definition.key] = text;
    }
    setSaving(true);
    setError(null);
    try {
      const updated = await customerApi.update(profile.id, {
        name: name.trim() || null,
        language: language.trim() || null,
        ...(Object.keys(attributes).length ? { attributes } : {}),
      });
      alerts.notify(t('customer.saved'));
      onSaved(updated);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="customer__form" data-testid="customer-form" onSubmit={(event) => void save(event)}>
      <label class="field" for={`${baseId}-name`}>
        <span class="field__label">{t('customer.name')}</span>
        <input id={`${baseId}-name`} value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field" for={`${baseId}-language`}>
        <span class="field__label">{t('customer.language')}</span>
        <input
          id={`${baseId}-language`}
          value={language}
          maxLength={35}
          placeholder="en, nl, pt-BR"
          onInput={(e) => setLanguage(e.currentTarget.value)}
        />
      </label>
      {definitions.map((definition) => {
        const id = `${baseId}-${definition.key}`;
        const value = values[definition.key] ?? '';
        const set = (next: string): void => setValues((all) => ({ ...all, [definition.key]: next }));
        return (
          <label class="field" for={id} key={definition.key}>
            <span class="field__label" {...USER_CONTENT}>
              {definition.label}
            </span>
            {definition.type === 'choice' ? (
              <select id={id} class="select" value={value} onChange={(e) => set(e.currentTarget.value)}>
                <option value="">—</option>
                {(definition.choices ?? []).map((choice) => (
                  <option key={choice} value={choice} {...USER_CONTENT}>
                    {choice}
                  </option>
                ))}
              </select>
            ) : definition.type === 'date' ? (
              <input id={id} type="date" value={value} onInput={(e) => set(e.currentTarget.value)} />
            ) : (
              <input
                id={id}
                inputMode={definition.type === 'number' ? 'decimal' : 'text'}
                value={value}
                maxLength={1000}
                onInput={(e) => set(e.currentTarget.value)}
              />
            )}
          </label>
        );
      })}
      {error && (
        <p class="form-error" role="alert" data-testid="customer-form-error">
          {error}
        </p>
      )}
      <div class="customer__buttons">
        <button type="button" class="button button--quiet" onClick={onCancel}>
          {t('customer.cancel')}
        </button>
        <button type="submit" class="button button--primary" disabled={saving}>
          {t('customer.save')}
        </button>
      </div>
    </form>
  );
}

// --- addresses and consent ------------------------------------------------------------------

function AddressSection({ view, onChanged }: { view: CustomerView; onChanged(view: CustomerView): void }) {
  const titleId = useId();
  return (
    <section aria-labelledby={titleId} data-testid="customer-addresses">
      <h3 class="info__title" id={titleId}>
        {t('customer.addresses')}
      </h3>
      <ul class="customer__list">
        {view.addresses.map((address) => (
          <AddressItem key={address.address} view={view} address={address} onChanged={onChanged} />
        ))}
      </ul>
      {view.may_change && <AddAddressForm view={view} onChanged={onChanged} />}
    </section>
  );
}

function AddressItem({
  view,
  address,
  onChanged,
}: {
  view: CustomerView;
  address: AddressView;
  onChanged(view: CustomerView): void;
}) {
  const alerts = useAlerts();
  const [busy, setBusy] = useState(false);
  const record = async (channel: AddressView['channels'][number], optedOut: boolean): Promise<void> => {
    setBusy(true);
    try {
      await customerApi.recordConsent(view.profile.id, channel, address.address, optedOut, t('customer.consent_by_agent'));
      onChanged(await customerApi.get(view.profile.id));
      alerts.notify(optedOut ? t('customer.opt_out_recorded') : t('customer.opt_in_recorded'));
    } catch (error) {
      reportError(alerts, error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="customer__address" data-testid="customer-address" data-address={address.address}>
      <span class="info__code" {...USER_CONTENT}>
        {address.value}
      </span>
      <ul class="customer__channels">
        {address.channels.map((channel) => {
          const consent = consentOf(view, channel, address.value);
          const out = consent?.opted_out === true;
          return (
            <li key={channel} data-testid="address-channel" data-channel={channel} data-opted-out={String(out)}>
              <ChannelBadge channel={channel} showLabel />{' '}
              <span class={out ? 'consent consent--out' : 'consent'} title={consent?.changed_at ? fullTime(consent.changed_at) : undefined}>
                {out ? t('customer.opted_out') : t('customer.may_message')}
              </span>
              {view.may_change && (
                <button
                  type="button"
                  class="link-button customer__consent-button"
                  disabled={busy}
                  onClick={() => void record(channel, !out)}
                >
                  {out ? t('customer.record_opt_in') : t('customer.record_opt_out')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </li>
  );
}

const ADDRESS_KINDS = ['phone', 'email', 'telegram', 'messenger', 'instagram', 'viber'] as const;

function AddAddressForm({ view, onChanged }: { view: CustomerView; onChanged(view: CustomerView): void }) {
  const alerts = useAlerts();
  const baseId = useId();
  const [kind, setKind] = useState<(typeof ADDRESS_KINDS)[number]>('phone');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!value.trim()) return;
    try {
      onChanged(await customerApi.addAddress(view.profile.id, `${kind}:${value.trim()}`));
      setValue('');
      setError(null);
      alerts.notify(t('customer.address_added'));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <form class="customer__add" data-testid="add-address" onSubmit={(event) => void add(event)}>
      <label class="sr-only" for={`${baseId}-kind`}>
        {t('customer.address_kind')}
      </label>
      <select id={`${baseId}-kind`} class="select" value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
        {ADDRESS_KINDS.map((each) => (
          <option key={each} value={each}>
            {each === 'phone' ? t('customer.kind_phone') : each === 'email' ? t('customer.kind_email') : channelInfo(each).label}
          </option>
        ))}
      </select>
      <label class="sr-only" for={`${baseId}-value`}>
        {t('customer.new_address')}
      </label>
      <input
        id={`${baseId}-value`}
        value={value}
        maxLength={320}
        placeholder={t('customer.new_address')}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit" class="button" disabled={!value.trim()}>
        {t('customer.add_address')}
      </button>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

// --- conversations on every channel ---------------------------------------------------------

function ConversationSection({ view, currentConversationId }: { view: CustomerView; currentConversationId: string | null }) {
  const alerts = useAlerts();
  const titleId = useId();
  const [more, setMore] = useState<ConversationSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(view.conversations_cursor);
  useEffect(() => {
    setMore([]);
    setCursor(view.conversations_cursor);
  }, [view]);
  const loadMore = async (): Promise<void> => {
    try {
      const page = await customerApi.conversations(view.profile.id, cursor);
      const seen = new Set([...view.conversations, ...more].map((c) => c.id));
      setMore((all) => [...all, ...page.items.filter((c) => !seen.has(c.id))]);
      setCursor(page.next_cursor);
    } catch (error) {
      reportError(alerts, error);
    }
  };
  const all = [...view.conversations, ...more];
  return (
    <section aria-labelledby={titleId} data-testid="customer-conversations">
      <h3 class="info__title" id={titleId}>
        {t('customer.conversations')}
      </h3>
      {all.length === 0 ? (
        <p class="muted">{t('customer.no_conversations')}</p>
      ) : (
        <ul class="customer__list">
          {all.map((summary) => (
            <ConversationItem key={summary.id} summary={summary} current={summary.id === currentConversationId} />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="link-button" onClick={() => void loadMore()}>
          {t('customer.more_conversations')}
        </button>
      )}
    </section>
  );
}

function ConversationItem({ summary, current }: { summary: ConversationSummary; current: boolean }) {
  const account = summary.account_name ?? summary.account_id;
  const line = (
    <>
      <span class="customer__conversation-line">
        <ChannelBadge channel={summary.channel} />
        <span data-testid="summary-account" {...USER_CONTENT}>
          {account}
        </span>
        {summary.state && <span class="muted">· {stateLabel(summary.state)}</span>}
        <time class="muted" dateTime={summary.last_message_at ?? summary.created_at} title={fullTime(summary.last_message_at ?? summary.created_at)}>
          {shortTime(summary.last_message_at ?? summary.created_at)}
        </time>
      </span>
      {summary.readable ? (
        summary.preview && (
          <span class="customer__preview" {...USER_CONTENT}>
            {summary.preview}
          </span>
        )
      ) : (
        <span class="muted customer__preview">
          {summary.team_name ? <Worded parts={tParts('customer.other_team', { team: summary.team_name })} /> : t('customer.other_team', { team: t('customer.unknown_team') })}
        </span>
      )}
    </>
  );
  return (
    <li
      class={current ? 'customer__conversation customer__conversation--current' : 'customer__conversation'}
      data-testid="customer-conversation"
      data-conversation-id={summary.id}
      data-channel={summary.channel}
    >
      {current ? (
        <div aria-current="true">
          {line}
          <span class="muted"> ({t('customer.this_conversation')})</span>
        </div>
      ) : summary.readable ? (
        <a class="customer__conversation-link" href={formatHash(inboxRoute('all', summary.id))}>
          {line}
        </a>
      ) : (
        <div>{line}</div>
      )}
    </li>
  );
}

// --- communication log and merges -----------------------------------------------------------

function LogSection({ view, onChanged }: { view: CustomerView; onChanged(view: CustomerView): void }) {
  const titleId = useId();
  const alerts = useAlerts();
  const [entries, setEntries] = useState<CommunicationEntry[]>(view.log);
  const [cursor, setCursor] = useState<string | null>(null);
  const [paged, setPaged] = useState(false);
  useEffect(() => {
    setEntries(view.log);
    setPaged(false);
    setCursor(null);
  }, [view]);
  const loadAll = async (): Promise<void> => {
    try {
      const page = await customerApi.log(view.profile.id, paged ? cursor : null);
      setEntries((current) => (paged ? [...current, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setPaged(true);
    } catch (error) {
      reportError(alerts, error);
    }
  };
  return (
    <section aria-labelledby={titleId} data-testid="customer-log">
      <h3 class="info__title" id={titleId}>
        {t('customer.log')}
      </h3>
      {entries.length === 0 ? (
        <p class="muted">{t('customer.no_log')}</p>
      ) : (
        <ul class="notes">
          {entries.map((entry) => (
            <li key={entry.id} class="note customer__log-entry" data-testid="log-entry">
              <p class="note__text" {...USER_CONTENT}>
                {entry.text}
              </p>
              <p class="note__meta muted">
                {entry.direction === 'inbound' ? t('customer.log_inbound') : t('customer.log_outbound')} · {t(`customer.medium_${entry.medium}`)} ·{' '}
                <span {...USER_CONTENT}>{entry.author_name}</span> ·{' '}
                <time dateTime={entry.occurred_at} title={fullTime(entry.occurred_at)}>
                  {shortTime(entry.occurred_at)}
                </time>
              </p>
            </li>
          ))}
        </ul>
      )}
      {(paged ? cursor !== null : entries.length >= 10) && (
        <button type="button" class="link-button" onClick={() => void loadAll()}>
          {t('customer.more_log')}
        </button>
      )}
      {view.may_change && <LogForm view={view} onChanged={onChanged} />}
    </section>
  );
}

const MEDIA = ['phone', 'visit', 'letter', 'email', 'sms', 'other'] as const;

/** Log an interaction that did not come through a channel (a call, a visit, a letter). */
function LogForm({ view, onChanged }: { view: CustomerView; onChanged(view: CustomerView): void }) {
  const alerts = useAlerts();
  const baseId = useId();
  const [medium, setMedium] = useState<(typeof MEDIA)[number]>('phone');
  const [direction, setDirection] = useState<'inbound' | 'outbound'>('inbound');
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!text.trim()) return;
    setSaving(true);
    try {
      await customerApi.logInteraction(view.profile.id, { direction, medium, text: text.trim() });
      setText('');
      alerts.notify(t('customer.logged'));
      onChanged(await customerApi.get(view.profile.id));
    } catch (error) {
      reportError(alerts, error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <form class="customer__add" data-testid="log-form" onSubmit={(event) => void save(event)}>
      <div class="inline-form">
        <label class="sr-only" for={`${baseId}-medium`}>
          {t('customer.log_medium')}
        </label>
        <select id={`${baseId}-medium`} class="select" value={medium} onChange={(e) => setMedium(e.currentTarget.value as typeof medium)}>
          {MEDIA.map((each) => (
            <option key={each} value={each}>
              {t(`customer.medium_${each}`)}
            </option>
          ))}
        </select>
        <label class="sr-only" for={`${baseId}-direction`}>
          {t('customer.log_direction')}
        </label>
        <select
          id={`${baseId}-direction`}
          class="select"
          value={direction}
          onChange={(e) => setDirection(e.currentTarget.value as typeof direction)}
        >
          <option value="inbound">{t('customer.log_inbound')}</option>
          <option value="outbound">{t('customer.log_outbound')}</option>
        </select>
      </div>
      <label class="sr-only" for={`${baseId}-text`}>
        {t('customer.log_text')}
      </label>
      <textarea
        id={`${baseId}-text`}
        rows={2}
        maxLength={5000}
        value={text}
        placeholder={t('customer.log_text')}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit" class="button" disabled={saving || !text.trim()}>
        {t('customer.log_add')}
      </button>
    </form>
  );
}

function HistorySection({ view }: { view: CustomerView }) {
  const titleId = useId();
  if (view.merges.length === 0) return null;
  return (
    <section aria-labelledby={titleId} data-testid="customer-history">
      <h3 class="info__title" id={titleId}>
        {t('customer.history')}
      </h3>
      <ul class="customer__list">
        {view.merges.map((record) => (
          <li key={record.id} data-testid="merge-record" data-source-id={record.source_id} data-kept-id={record.kept_id}>
            <Worded
              parts={tParts(record.state === 'done' ? 'customer.merged' : 'customer.merging', {
                source: record.source_name || t('customer.unnamed'),
                kept: record.kept_name || t('customer.unnamed'),
                by: record.by_name,
                time: fullTime(record.finished_at ?? record.started_at),
              })}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
