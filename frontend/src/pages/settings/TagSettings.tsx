import { useState } from 'preact/hooks';
import { normaliseTag } from '../../components/TagEditor';
import { canReadSettings, tagCatalogue } from '../../lib/directory';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';
import { t } from '../../lib/i18n';
import { USER_CONTENT } from '../../lib/userContent';

/** The tag catalogue, and whether agents may add tags that are not in it. */
export function TagSettings({ me, canEdit }: SectionProps) {
  const tags = useLoad(tagCatalogue);
  const readsService = canReadSettings(me.user.role);
  const service = useLoad(() => (readsService ? admin.service() : Promise.resolve(null)));
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [busy, run] = useAction();
  const term = normaliseTag(search);

  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      {service.data && (
        <label class="check">
          <input
            type="checkbox"
            disabled={!canEdit || busy}
            checked={service.data.agents_may_create_tags}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              void run(
                async () => service.set(await admin.updateService({ agents_may_create_tags: on })),
                on ? t('tagset.may_create') : t('tagset.only_these'),
              );
            }}
          />
          <span>{t('tagset.agents_create')}</span>
        </label>
      )}
      {!readsService && (
        <p class="muted">
          {me.may_create_tags
            ? t('tagset.hint_create')
            : t('tagset.hint_ask')}
        </p>
      )}
      {canEdit && (
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            const tag = normaliseTag(draft);
            if (!tag) return;
            void run(async () => {
              await admin.defineTag(tag);
              setDraft('');
              tags.reload();
            }, t('tagset.added', { tag }));
          }}
        >
          <input type="text" aria-label={t('tagset.new')} maxLength={50} placeholder={t('tagset.new')} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button type="submit" class="button button--primary" disabled={busy || !normaliseTag(draft)}>
            {t('tags.add')}
          </button>
        </form>
      )}
      <input type="search" aria-label={t('tagset.search')} placeholder={t('common.search')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <Loading loaded={tags}>
        {(list) => (
          <ul class="chips" aria-label={t('tags.label')} data-testid="tag-catalogue">
            {list.length === 0 && <li class="muted">{t('tags.none')}</li>}
            {list
              .filter((tag) => !term || tag.includes(term))
              .map((tag) => (
                <li key={tag} class="chip" {...USER_CONTENT}>
                  {tag}
                </li>
              ))}
          </ul>
        )}
      </Loading>
    </>
  );
}
