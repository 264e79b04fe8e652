// The Customers screen (`#/customers`): find any customer by name, phone number (any format),
// email or channel id, exactly, by prefix ('Ma%') or with the Like operator ('%ria', '%ari%');
// each row opens the customer's page (`#/customers/<id>`).

import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, isAbort } from '../api';
import { type CustomerSummary, type SearchField, guessField, searchCustomers } from '../lib/customerSearch';
import { type MessageKey, t, tParts } from '../lib/i18n';
import { formatHash } from '../lib/route';
import { USER_CONTENT } from '../lib/userContent';
import { Worded } from '../components/Worded';

type FieldChoice = SearchField | 'auto';

const FIELDS: readonly { id: FieldChoice; label: MessageKey }[] = [
  { id: 'auto', label: 'customers.field_auto' },
  { id: 'name', label: 'customers.field_name' },
  { id: 'phone', label: 'customers.field_phone' },
  { id: 'email', label: 'customers.field_email' },
  { id: 'channel_id', label: 'customers.field_channel_id' },
];

interface Results {
  term: string;
  field: SearchField;
  items: CustomerSummary[];
  cursor: string | null;
}

export function CustomersPage() {
  const [term, setTerm] = useState('');
  const [choice, setChoice] = useState<FieldChoice>('auto');
  const [results, setResults] = useState<Results | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = useRef<AbortController | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    return () => running.current?.abort();
  }, []);

  const run = async (more: boolean): Promise<void> => {
    const text = more && results ? results.term : term.trim();
    if (!text) return;
    const field = more && results ? results.field : choice === 'auto' ? guessField(text) : choice;
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    setBusy(true);
    setError(null);
    try {
      const seen = new Set(more && results ? results.items.map((item) => item.id) : []);
      const page = await searchCustomers(field, text, {
        cursor: more && results ? results.cursor : null,
        seen,
        signal: controller.signal,
      });
      setResults({
        term: text,
        field,
        items: more && results ? [...results.items, ...page.items] : page.items,
        cursor: page.cursor,
      });
    } catch (caught) {
      if (!isAbort(caught)) {
        setError(errorMessage(caught));
        if (!more) setResults(null);
      }
    } finally {
      if (running.current === controller) setBusy(false);
    }
  };

  return (
    <main class="customer-page" data-testid="customers-page">
      <div class="customer-page__head">
        <h1 class="customer-page__title">{t('customers.title')}</h1>
      </div>
      <div class="customer-page__body">
        <form
          class="customers-search"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            void run(false);
          }}
        >
          <label class="field customers-search__term">
            <span class="field__label">{t('customers.search_label')}</span>
            <input
              ref={input}
              type="search"
              maxLength={320}
              value={term}
              placeholder={t('customers.search_placeholder')}
              onInput={(event) => setTerm(event.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">{t('customers.search_by')}</span>
            <select
              class="select"
              aria-label={t('customers.search_by')}
              value={choice}
              onChange={(event) => setChoice(event.currentTarget.value as FieldChoice)}
            >
              {FIELDS.map(({ id, label }) => (
                <option key={id} value={id}>
                  {t(label)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="button button--primary" disabled={busy || !term.trim()}>
            {t('customers.search')}
          </button>
        </form>
        <p class="muted customers-search__hint">{t('customers.hint')}</p>
        <p class={error ? 'dialog__error' : 'dialog__error dialog__error--empty'} role="alert">
          {error}
        </p>
        {results && (
          <section aria-label={t('customers.results')} aria-busy={busy}>
            {results.items.length === 0 && !results.cursor ? (
              <p class="muted" data-testid="customers-none">
                <Worded parts={tParts('customers.none', { term: results.term })} />
              </p>
            ) : (
              <ul class="customers-list" data-testid="customers-results">
                {results.items.map((item) => (
                  <li key={item.id} class="customers-list__row">
                    <a class="customers-list__link" href={formatHash({ page: 'customers', customerId: item.id })}>
                      <span class="customers-list__name">{item.name ? <span {...USER_CONTENT}>{item.name}</span> : t('customer.unnamed')}</span>
                      {item.matched && item.matched !== item.name && (
                        <span class="muted customers-list__matched" {...USER_CONTENT}>
                          {item.matched}
                        </span>
                      )}
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {results.cursor && (
              <button type="button" class="button" disabled={busy} onClick={() => void run(true)}>
                {t('customers.more')}
              </button>
            )}
          </section>
        )}
      </div>
    </main>
  );
}
