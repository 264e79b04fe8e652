import type { TargetedKeyboardEvent } from 'preact';
import { useId, useState } from 'preact/hooks';
import { t } from '../lib/i18n';
import { USER_CONTENT, userValues } from '../lib/userContent';
import { Icon } from './Icon';

/** Tags as the API keeps them (domain/search.py normalise_tag): case-folded, single spaces. */
export function normaliseTag(raw: string): string {
  return raw.split(/\s+/).filter(Boolean).join(' ').toLowerCase();
}

const MAX_SUGGESTIONS = 8;

interface Props {
  tags: string[];
  /** The organisation's tags, offered while typing. */
  catalogue: string[];
  busy?: boolean;
  /** Whether a tag that is not in the catalogue may be typed in (`may_create_tags` of `/me`). */
  mayCreate: boolean;
  /** Read-only: the tags are listed without add or remove. */
  readOnly?: boolean;
  onAdd(tag: string): void;
  onRemove(tag: string): void;
}

/** The catalogue's tags that match what is typed: those starting with it first, then those containing it. */
export function suggestionsFor(catalogue: string[], taken: string[], term: string): string[] {
  const open = catalogue.filter((tag) => !taken.includes(tag) && (!term || tag.includes(term)));
  return [...open.filter((tag) => tag.startsWith(term)), ...open.filter((tag) => !tag.startsWith(term))].slice(0, MAX_SUGGESTIONS);
}

/**
 * The tags of one conversation (or of an archive to come): each with a remove button, and a
 * field that suggests the catalogue's tags. Enter takes the highlighted suggestion (the first,
 * ↑ and ↓ move it), so "tick" + Enter adds the existing "tickets" as the catalogue spells it;
 * a tag that is not in the catalogue is made only with Create tag, and only by who may (the
 * API refuses it otherwise). Every tag is customer-adjacent text: shown as text.
 */
export function TagEditor({ tags, catalogue, busy = false, mayCreate, readOnly = false, onAdd, onRemove }: Props) {
  const [draft, setDraft] = useState('');
  const [active, setActive] = useState(0);
  const inputId = useId();
  const hintId = useId();
  const listId = useId();
  const term = normaliseTag(draft);
  const known = catalogue.includes(term);
  const suggestions = term && known ? [] : suggestionsFor(catalogue, tags, term);
  const highlighted = term ? suggestions[Math.min(active, suggestions.length - 1)] : undefined;
  // a new tag is offered only to who may create one; others pick from the catalogue
  const addable = !!term && (known || tags.includes(term) || mayCreate);

  const add = (raw: string): void => {
    const tag = normaliseTag(raw);
    setActive(0);
    if (!tag || tags.includes(tag)) {
      setDraft('');
      return;
    }
    if (!mayCreate && !catalogue.includes(tag)) return;
    onAdd(tag);
    setDraft('');
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLInputElement>): void => {
    if (event.isComposing) return;
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && suggestions.length > 0) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => (Math.min(current, suggestions.length - 1) + step + suggestions.length) % suggestions.length);
      return;
    }
    if (event.key !== 'Enter') return;
    event.preventDefault();
    add(known || !highlighted ? draft : highlighted);
  };

  return (
    <div class="tags-editor">
      <ul class="chips" aria-label={t('tags.label')} data-testid="tag-list">
        {tags.length === 0 && <li class="muted">{t('tags.none')}</li>}
        {tags.map((tag) => (
          <li key={tag} class="chip">
            <span data-testid="tag" {...USER_CONTENT}>
              {tag}
            </span>
            {!readOnly && (
              <button
                type="button"
                class="chip__remove"
                aria-label={t('tags.remove', { tag })}
                {...userValues(tag)}
                disabled={busy}
                onClick={() => onRemove(tag)}
              >
                <Icon name="close" size={12} />
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <>
          <div class="inline-form">
            <label for={inputId} class="sr-only">
              {t('tags.tag')}
            </label>
            <input
              id={inputId}
              type="text"
              maxLength={50}
              value={draft}
              placeholder={mayCreate ? t('tags.placeholder_create') : t('tags.placeholder_pick')}
              autocomplete="off"
              aria-controls={listId}
              aria-describedby={hintId}
              disabled={busy}
              onInput={(event) => {
                setDraft(event.currentTarget.value);
                setActive(0);
              }}
              onKeyDown={onKeyDown}
            />
            <button type="button" class="button" disabled={busy || !addable} onClick={() => add(draft)}>
              {term && !known && mayCreate ? t('tags.create') : t('tags.add')}
            </button>
          </div>
          <p id={hintId} class="muted" data-testid="tag-create-hint">
            {highlighted && !known
              ? t('tags.enter_picks', { tag: highlighted })
              : !mayCreate && term && !known && !tags.includes(term)
                ? t('tags.not_in_catalogue', { tag: term })
                : !mayCreate
                  ? t('tags.choose_existing')
                  : ''}
          </p>
          {suggestions.length > 0 && (
            <div class="suggestions" role="group" id={listId} aria-label={t('tags.existing')}>
              {suggestions.map((tag) => (
                <button
                  key={tag}
                  type="button"
                  aria-current={tag === highlighted ? 'true' : undefined}
                  class={tag === highlighted ? 'chip chip--button chip--active' : 'chip chip--button'}
                  disabled={busy}
                  onClick={() => add(tag)}
                >
                  + <span {...USER_CONTENT}>{tag}</span>
                </button>
              ))}
            </div>
          )}
        </>
      )}
    </div>
  );
}
