import { useState } from 'preact/hooks';
import { useConfirm } from '../../components/ConfirmDialog';
import { TemplatePreview, parametersOf } from '../../components/TemplateForm';
import { Worded } from '../../components/Worded';
import { t, tn, tParts } from '../../lib/i18n';
import { USER_CONTENT, userValues } from '../../lib/userContent';
import type { ChannelAccount, Template, TemplateSync } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The body's variables in order of first appearance, as the API numbers or names them. */
export function variablesOf(body: string): string[] {
  return [...new Set(Array.from(body.matchAll(VARIABLE), (match) => match[1] ?? ''))];
}

interface Draft {
  name: string;
  language: string;
  body: string;
  labels: Record<string, string>;
  /** Editing a stored template (name and language are its key and stay as they are). */
  existing: boolean;
}

const EMPTY: Draft = { name: '', language: 'en', body: '', labels: {}, existing: false };

/**
 * WhatsApp templates per account: administrators add, change and delete them with each
 * variable labelled by what it means (agents fill them in by that label), and take the
 * account's approved templates from the provider (Sync). Watchers and supervisors read them.
 */
export function TemplateSettings({ canEdit }: SectionProps) {
  const accounts = useLoad(() => admin.accounts().then((all) => all.filter((a) => a.channel === 'whatsapp')));
  const [chosen, setChosen] = useState<string | null>(null);
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">{t('templates.intro')}</p>
      <Loading loaded={accounts}>
        {(list) => {
          if (list.length === 0) return <p class="muted">{t('templates.no_accounts')}</p>;
          const account = list.find((a) => a.id === chosen) ?? list[0];
          if (!account) return null;
          return (
            <>
              {list.length > 1 && (
                <label class="field">
                  <span class="field__label">{t('templates.account')}</span>
                  <select class="select" value={account.id} onChange={(e) => setChosen(e.currentTarget.value)}>
                    {list.map((a) => (
                      <option key={a.id} value={a.id} {...USER_CONTENT}>
                        {a.name}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <AccountTemplates key={account.id} account={account} canEdit={canEdit} />
            </>
          );
        }}
      </Loading>
    </>
  );
}

function AccountTemplates({ account, canEdit }: { account: ChannelAccount; canEdit: boolean }) {
  const templates = useLoad(() => admin.templates(account.id).then((answer) => answer.items), [account.id]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [synced, setSynced] = useState<TemplateSync | null>(null);
  const [busy, run] = useAction();
  const [confirmation, confirm] = useConfirm();

  const sync = (): void => {
    void run(async () => {
      const answer = await admin.syncTemplates(account.id);
      setSynced(answer);
      templates.set(answer.items);
    }, t('templates.synced'));
  };

  const remove = async (template: Template): Promise<void> => {
    const sure = await confirm({
      title: t('templates.delete_title'),
      effect: t('templates.delete_effect', { name: template.name, language: template.language }),
      action: t('templates.delete'),
    });
    if (sure) {
      await run(() => admin.deleteTemplate(account.id, template.name, template.language), t('templates.deleted'));
      templates.reload();
    }
  };

  return (
    <section class="settings__group" data-testid="template-settings" data-account={account.id} aria-label={account.name} {...userValues(account.name)}>
      {canEdit && (
        <div class="dialog__actions dialog__actions--start">
          <button type="button" class="button button--primary" onClick={() => setDraft({ ...EMPTY })}>
            {t('templates.new')}
          </button>
          <button type="button" class="button" disabled={busy} onClick={sync} data-testid="template-sync">
            {t('templates.sync')}
          </button>
        </div>
      )}
      {synced && <SyncSummary synced={synced} />}
      {draft && (
        <TemplateEditor
          account={account}
          draft={draft}
          onChange={setDraft}
          onCancel={() => setDraft(null)}
          onSaved={() => {
            setDraft(null);
            templates.reload();
          }}
        />
      )}
      <Loading loaded={templates}>
        {(list) =>
          list.length === 0 ? (
            <p class="muted">{t('templates.none')}</p>
          ) : (
            <ul class="template-list">
              {[...list]
                .sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language))
                .map((template) => (
                  <li key={`${template.name}/${template.language}`} class="card settings__card" data-testid="template">
                    <h2 class="settings__subtitle" {...USER_CONTENT}>
                      {template.name} <span class="state">{template.language}</span>
                    </h2>
                    <TemplatePreview template={template} variables={{}} />
                    {parametersOf(template).length > 0 && (
                      <dl class="info__list" data-testid="template-labels">
                        {parametersOf(template).map((name) => (
                          <>
                            <dt key={`t${name}`} {...USER_CONTENT}>
                              <code>{`{{${name}}}`}</code>
                            </dt>
                            <dd key={`d${name}`}>
                              {template.labels?.[name] ? (
                                <span {...USER_CONTENT}>{template.labels[name]}</span>
                              ) : (
                                <span class="muted">{t('templates.no_label')}</span>
                              )}
                            </dd>
                          </>
                        ))}
                      </dl>
                    )}
                    {canEdit && (
                      <div class="dialog__actions dialog__actions--start">
                        <button
                          type="button"
                          class="button"
                          onClick={() =>
                            setDraft({
                              name: template.name,
                              language: template.language,
                              body: template.body,
                              labels: { ...(template.labels ?? {}) },
                              existing: true,
                            })
                          }
                        >
                          {t('templates.edit')}
                        </button>
                        <button type="button" class="button button--quiet" disabled={busy} onClick={() => void remove(template)}>
                          {t('templates.delete')}
                        </button>
                      </div>
                    )}
                  </li>
                ))}
            </ul>
          )
        }
      </Loading>
      {confirmation}
    </section>
  );
}

function SyncSummary({ synced }: { synced: TemplateSync }) {
  return (
    <div class="banner" data-testid="template-sync-result" role="status">
      <p>
        {tn('templates.sync_added', synced.added.length)} {tn('templates.sync_updated', synced.updated.length)}
      </p>
      {synced.not_at_provider.length > 0 && (
        <p>
          <Worded parts={tParts('templates.sync_missing', { names: synced.not_at_provider.join(', ') })} />
        </p>
      )}
    </div>
  );
}

function TemplateEditor({
  account,
  draft,
  onChange,
  onCancel,
  onSaved,
}: {
  account: ChannelAccount;
  draft: Draft;
  onChange(draft: Draft): void;
  onCancel(): void;
  onSaved(): void;
}) {
  const [busy, run] = useAction();
  const variables = variablesOf(draft.body);
  const numbered = variables.length > 0 && variables.every((name) => /^\d+$/.test(name));
  const preview: Template = { account_id: account.id, name: draft.name, language: draft.language, body: draft.body, parameters: variables, labels: draft.labels };
  const addVariable = (): void => {
    const next = numbered || variables.length === 0 ? `{{${variables.length + 1}}}` : '{{name}}';
    onChange({ ...draft, body: `${draft.body}${draft.body && !draft.body.endsWith(' ') ? ' ' : ''}${next}` });
  };
  return (
    <form
      class="card settings__card settings__group"
      aria-label={t('templates.editor')}
      data-testid="template-editor"
      onSubmit={(event) => {
        event.preventDefault();
        const labels = Object.fromEntries(variables.filter((name) => draft.labels[name]?.trim()).map((name) => [name, draft.labels[name]?.trim() ?? '']));
        void run(
          () => admin.putTemplate(account.id, { name: draft.name.trim(), language: draft.language.trim(), body: draft.body, labels }),
          t('templates.saved'),
        ).then((ok) => ok && onSaved());
      }}
    >
      <h2 class="settings__subtitle">{draft.existing ? <Worded parts={tParts('templates.edit_title', { name: draft.name })} /> : t('templates.new')}</h2>
      <div class="form-row">
        <label class="field">
          <span class="field__label">{t('templates.name')}</span>
          <input
            type="text"
            required
            pattern="[a-z0-9_]{1,512}"
            title={t('templates.name_hint')}
            readOnly={draft.existing}
            value={draft.name}
            onInput={(e) => onChange({ ...draft, name: e.currentTarget.value })}
          />
        </label>
        <label class="field">
          <span class="field__label">{t('templates.language')}</span>
          <input
            type="text"
            required
            pattern="[a-z]{2,3}(_[A-Za-z0-9]{2,4})?"
            title={t('templates.language_hint')}
            readOnly={draft.existing}
            value={draft.language}
            onInput={(e) => onChange({ ...draft, language: e.currentTarget.value })}
          />
        </label>
      </div>
      <label class="field">
        <span class="field__label">{t('templates.body')}</span>
        <textarea rows={4} required maxLength={1024} value={draft.body} onInput={(e) => onChange({ ...draft, body: e.currentTarget.value })} />
      </label>
      <p class="muted">{t('templates.body_hint')}</p>
      <div>
        <button type="button" class="button" onClick={addVariable}>
          {t('templates.add_variable')}
        </button>
      </div>
      {variables.length > 0 && (
        <fieldset class="settings__group">
          <legend>{t('templates.meanings')}</legend>
          {variables.map((name) => (
            <label class="field" key={name}>
              <span class="field__label">
                <code>{`{{${name}}}`}</code> {t('templates.means')}
              </span>
              <input
                type="text"
                maxLength={100}
                placeholder={t('templates.meaning_example')}
                value={draft.labels[name] ?? ''}
                onInput={(e) => onChange({ ...draft, labels: { ...draft.labels, [name]: e.currentTarget.value } })}
              />
            </label>
          ))}
        </fieldset>
      )}
      {draft.body && <TemplatePreview template={preview} variables={{}} />}
      <div class="dialog__actions dialog__actions--start">
        <button type="submit" class="button button--primary" disabled={busy}>
          {t('templates.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
