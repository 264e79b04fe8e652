import { useState } from 'preact/hooks';
import { normaliseTag } from '../../components/TagEditor';
import { canReadSettings, tagCatalogue } from '../../lib/directory';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

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
                on ? 'Agents may create tags.' : 'Agents may only use these tags.',
              );
            }}
          />
          <span>Agents may create new tags (while tagging or archiving)</span>
        </label>
      )}
      {!readsService && (
        <p class="muted">
          {me.may_create_tags
            ? 'Tag conversations with these tags; a new tag you type while tagging is added here.'
            : 'Tag conversations with these tags. Ask an administrator for a missing one.'}
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
            }, `Tag "${tag}" added.`);
          }}
        >
          <input type="text" aria-label="New tag" maxLength={50} placeholder="New tag" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button type="submit" class="button button--primary" disabled={busy || !normaliseTag(draft)}>
            Add tag
          </button>
        </form>
      )}
      <input type="search" aria-label="Search tags" placeholder="Search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <Loading loaded={tags}>
        {(list) => (
          <ul class="chips" aria-label="Tags" data-testid="tag-catalogue">
            {list.length === 0 && <li class="muted">No tags yet.</li>}
            {list
              .filter((tag) => !term || tag.includes(term))
              .map((tag) => (
                <li key={tag} class="chip">
                  {tag}
                </li>
              ))}
          </ul>
        )}
      </Loading>
    </>
  );
}
