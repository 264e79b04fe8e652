import { Fragment } from 'preact';
import { useCallback, useEffect, useId, useState } from 'preact/hooks';
import { isAbort } from '../api';
import { ChannelBadge } from '../components/ChannelBadge';
import { CustomerDetails } from '../components/CustomerDetails';
import { Dialog } from '../components/Dialog';
import { Worded } from '../components/Worded';
import { reportError, useAlerts } from '../lib/alerts';
import {
  type AttributeDefinition,
  type CustomerSummary,
  type CustomerView,
  attributeDefinitions,
  customerApi,
} from '../lib/customers';
import { fullTime } from '../lib/format';
import { t, tParts } from '../lib/i18n';
import { navigate } from '../lib/route';
import { USER_CONTENT } from '../lib/userContent';
import type { Me } from '../types';

export interface CustomerPageProps {
  customerId: string;
  me: Me;
}

/**
 * One customer's page (`#/customers/<id>`): the whole profile, every conversation on every
 * channel, the communication log and the merges, and merging another profile into this one.
 * A merged profile's old id opens the profile it went into, saying so.
 */
export function CustomerPage({ customerId }: CustomerPageProps) {
  const alerts = useAlerts();
  const [view, setView] = useState<CustomerView | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [merging, setMerging] = useState(false);

  const load = useCallback(
    (signal?: AbortSignal) => {
      customerApi.get(customerId, signal).then(
        (found) => {
          setView(found);
          setMissing(null);
        },
        (error: unknown) => {
          if (isAbort(error)) return;
          setMissing(error instanceof Error ? error.message : String(error));
        },
      );
    },
    [customerId],
  );

  useEffect(() => {
    const controller = new AbortController();
    setView(null);
    load(controller.signal);
    return () => controller.abort();
  }, [load]);

  if (!view) {
    return (
      <main class="customer-page">
        <p class="muted">{missing ?? t('app.loading')}</p>
      </main>
    );
  }

  const mergedFrom = view.profile.id !== customerId ? view.merges.find((record) => record.source_id === customerId) : undefined;
  const title = view.profile.name || t('customer.unnamed');
  return (
    <main class="customer-page" aria-labelledby="customer-page-title" data-testid="customer-page">
      <div class="customer-page__head">
        <button type="button" class="button button--quiet back" onClick={() => window.history.back()}>
          ← {t('customer.back')}
        </button>
        <h1 id="customer-page-title" class="customer-page__title" data-testid="customer-page-name" {...USER_CONTENT}>
          {title}
        </h1>
        {view.may_change && (
          <button type="button" class="button" onClick={() => setMerging(true)}>
            {t('customer.merge')}
          </button>
        )}
      </div>
      {view.profile.id !== customerId && (
        <p class="banner" role="note" data-testid="merged-into">
          <Worded
            parts={tParts('customer.was_merged', {
              source: mergedFrom?.source_name || t('customer.unnamed'),
              time: mergedFrom ? fullTime(mergedFrom.finished_at ?? mergedFrom.started_at) : '',
            })}
          />
        </p>
      )}
      <div class="customer-page__body">
        <CustomerDetails view={view} onChanged={setView} />
      </div>
      {merging && (
        <MergeDialog
          view={view}
          onClose={() => setMerging(false)}
          onMerged={(keptId) => {
            setMerging(false);
            alerts.notify(t('customer.merge_done'));
            if (keptId === view.profile.id) load();
            else navigate({ page: 'customers', customerId: keptId });
          }}
          onError={(error) => reportError(alerts, error)}
        />
      )}
    </main>
  );
}

// --- merge: pick, compare side by side, confirm ----------------------------------------------

type SearchField = 'name' | 'phone' | 'email' | 'channel_id';

function MergeDialog({
  view,
  onClose,
  onMerged,
  onError,
}: {
  view: CustomerView;
  onClose(): void;
  onMerged(keptId: string): void;
  onError(error: unknown): void;
}) {
  const [other, setOther] = useState<CustomerView | null>(null);
  return (
    <Dialog title={t('customer.merge_title')} testId="merge-dialog" onClose={onClose}>
      {other ? (
        <MergeCompare this_={view} other={other} onBack={() => setOther(null)} onMerged={onMerged} onError={onError} />
      ) : (
        <MergePick exclude={view.profile.id} onPicked={setOther} onError={onError} />
      )}
    </Dialog>
  );
}

function MergePick({
  exclude,
  onPicked,
  onError,
}: {
  exclude: string;
  onPicked(view: CustomerView): void;
  onError(error: unknown): void;
}) {
  const baseId = useId();
  const [field, setField] = useState<SearchField>('name');
  const [text, setText] = useState('');
  const [found, setFound] = useState<CustomerSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async (event: Event): Promise<void> => {
    event.preventDefault();
    const q = text.trim();
    if (!q) return;
    try {
      // a name is searched by its beginning; numbers and addresses exactly
      const page = await customerApi.search(field, field === 'name' && !q.endsWith('%') ? `${q}%` : q);
      setFound(page.items.filter((item) => item.id !== exclude));
      setError(null);
    } catch (failure) {
      setFound(null);
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  const pick = async (id: string): Promise<void> => {
    try {
      onPicked(await customerApi.get(id));
    } catch (failure) {
      onError(failure);
    }
  };

  return (
    <div class="merge-pick">
      <p class="muted">{t('customer.merge_pick_hint')}</p>
      <form class="inline-form" onSubmit={(event) => void search(event)}>
        <label class="sr-only" for={`${baseId}-field`}>
          {t('customer.search_by')}
        </label>
        <select id={`${baseId}-field`} class="select" value={field} onChange={(e) => setField(e.currentTarget.value as SearchField)}>
          <option value="name">{t('customer.name')}</option>
          <option value="phone">{t('customer.kind_phone')}</option>
          <option value="email">{t('customer.kind_email')}</option>
          <option value="channel_id">{t('customer.channel_id')}</option>
        </select>
        <label class="sr-only" for={`${baseId}-q`}>
          {t('customer.find_other')}
        </label>
        <input id={`${baseId}-q`} value={text} placeholder={t('customer.find_other')} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" class="button">
          {t('customer.find')}
        </button>
      </form>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {found && (
        found.length === 0 ? (
          <p class="muted">{t('customer.none_found')}</p>
        ) : (
          <ul class="pick-list" data-testid="merge-candidates">
            {found.map((item) => (
              <li key={item.id}>
                <button type="button" class="button button--block" data-testid="merge-candidate" onClick={() => void pick(item.id)}>
                  {item.name || t('customer.unnamed')} <span class="muted">({item.matched})</span>
                </button>
              </li>
            ))}
          </ul>
        )
      )}
    </div>
  );
}

function MergeCompare({
  this_,
  other,
  onBack,
  onMerged,
  onError,
}: {
  this_: CustomerView;
  other: CustomerView;
  onBack(): void;
  onMerged(keptId: string): void;
  onError(error: unknown): void;
}) {
  const [keepOther, setKeepOther] = useState(false);
  const [busy, setBusy] = useState(false);
  const [definitions, setDefinitions] = useState<AttributeDefinition[]>([]);
  useEffect(() => {
    attributeDefinitions().then(setDefinitions, () => undefined);
  }, []);
  const kept = keepOther ? other : this_;
  const source = keepOther ? this_ : other;
  const result = {
    name: kept.profile.name || source.profile.name,
    language: kept.profile.language || source.profile.language,
    attributes: { ...(source.profile.attributes ?? {}), ...(kept.profile.attributes ?? {}) },
  };

  const confirm = async (): Promise<void> => {
    setBusy(true);
    try {
      // a large merge runs in steps: calling again resumes it until it is done
      for (let round = 0; round < 20; round += 1) {
        const record = await customerApi.merge(kept.profile.id, source.profile.id);
        if (record.state === 'done') break;
      }
      onMerged(kept.profile.id);
    } catch (error) {
      onError(error);
      setBusy(false);
    }
  };

  const column = (view: CustomerView, isKept: boolean) => (
    <section class="merge-column" data-testid={isKept ? 'merge-kept' : 'merge-source'} aria-label={isKept ? t('customer.merge_kept') : t('customer.merge_source')}>
      <h3 class="info__title">{isKept ? t('customer.merge_kept') : t('customer.merge_source')}</h3>
      <dl class="info__list">
        <dt>{t('customer.name')}</dt>
        <dd data-testid="merge-name" {...USER_CONTENT}>
          {view.profile.name || '—'}
        </dd>
        <dt>{t('customer.language')}</dt>
        <dd {...USER_CONTENT}>{view.profile.language || '—'}</dd>
        <dt>{t('customer.first_seen')}</dt>
        <dd>{fullTime(view.profile.created_at)}</dd>
        <dt>{t('customer.addresses')}</dt>
        <dd>
          <ul class="customer__list">
            {view.addresses.map((address) => (
              <li key={address.address}>
                {address.channels.map((channel) => (
                  <ChannelBadge key={channel} channel={channel} />
                ))}{' '}
                <span class="info__code" {...USER_CONTENT}>
                  {address.value}
                </span>
              </li>
            ))}
          </ul>
        </dd>
        <dt>{t('customer.conversations')}</dt>
        <dd>{view.conversations.length}{view.conversations_cursor ? '+' : ''}</dd>
        {definitions.map((definition) => (
          <Fragment key={definition.key}>
            <dt {...USER_CONTENT}>{definition.label}</dt>
            <dd {...USER_CONTENT}>{String(view.profile.attributes?.[definition.key] ?? '—')}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );

  return (
    <div class="merge-compare">
      <div class="merge-columns">
        {column(kept, true)}
        {column(source, false)}
      </div>
      <label class="field--inline">
        <input type="checkbox" checked={keepOther} onChange={(e) => setKeepOther(e.currentTarget.checked)} />{' '}
        {t('customer.keep_other')}
      </label>
      <p data-testid="merge-result">
        <Worded
          parts={tParts('customer.merge_result', {
            name: result.name || t('customer.unnamed'),
            addresses: kept.addresses.length + source.addresses.length,
          })}
        />
      </p>
      <p class="muted">{t('customer.merge_rule')}</p>
      <div class="customer__buttons">
        <button type="button" class="button button--quiet" onClick={onBack}>
          {t('customer.back')}
        </button>
        <button type="button" class="button button--primary" disabled={busy} onClick={() => void confirm()}>
          {t('customer.merge_confirm')}
        </button>
      </div>
    </div>
  );
}
