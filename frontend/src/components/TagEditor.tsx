import type { TargetedKeyboardEvent } from 'preact';
import { useId, useState } from 'preact/hooks';

/** Tags as the API keeps them: case-insensitive, single spaces. */
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

/**
 * The tags of one conversation (or of an archive to come): each with a remove button, and a
 * field that suggests the catalogue's tags; it offers to create a tag that is not in the
 * catalogue only when the caller may (the API refuses it otherwise). Every tag is
 * customer-adjacent text: shown as text.
 */
export function TagEditor({ tags, catalogue, busy = false, mayCreate, readOnly = false, onAdd, onRemove }: Props) {
  const [draft, setDraft] = useState('');
  const inputId = useId();
  const hintId = useId();
  const term = normaliseTag(draft);
  const known = catalogue.includes(term);
  // a new tag is offered only to who may create one; others pick from the catalogue
  const addable = !!term && (known || tags.includes(term) || mayCreate);
  const suggestions = catalogue
    .filter((tag) => !tags.includes(tag) && (!term || tag.includes(term)))
    .slice(0, MAX_SUGGESTIONS);

  const add = (raw: string): void => {
    const tag = normaliseTag(raw);
    if (!tag || tags.includes(tag)) {
      setDraft('');
      return;
    }
    if (!mayCreate && !catalogue.includes(tag)) return;
    onAdd(tag);
    setDraft('');
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLInputElement>): void => {
    if (event.key !== 'Enter' || event.isComposing) return;
    event.preventDefault();
    add(draft);
  };

  return (
    <div class="tags-editor">
      <ul class="chips" aria-label="Tags" data-testid="tag-list">
        {tags.length === 0 && <li class="muted">No tags yet.</li>}
        {tags.map((tag) => (
          <li key={tag} class="chip">
            <span data-testid="tag">{tag}</span>
            {!readOnly && (
              <button
                type="button"
                class="chip__remove"
                aria-label={`Remove tag ${tag}`}
                disabled={busy}
                onClick={() => onRemove(tag)}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <>
          <div class="inline-form">
            <label for={inputId} class="sr-only">
              Tag
            </label>
            <input
              id={inputId}
              type="text"
              maxLength={50}
              value={draft}
              placeholder={mayCreate ? 'Type a tag, Enter adds it' : 'Type to find a tag, Enter adds it'}
              autocomplete="off"
              aria-describedby={mayCreate ? undefined : hintId}
              disabled={busy}
              onInput={(event) => setDraft(event.currentTarget.value)}
              onKeyDown={onKeyDown}
            />
            <button type="button" class="button" disabled={busy || !addable} onClick={() => add(draft)}>
              {term && !known && mayCreate ? 'Create tag' : 'Add tag'}
            </button>
          </div>
          {!mayCreate && (
            <p id={hintId} class="muted" data-testid="tag-create-hint">
              {term && !known && !tags.includes(term)
                ? `"${term}" is not one of the organisation's tags; only administrators can create tags.`
                : 'Choose one of the organisation\'s tags.'}
            </p>
          )}
          {suggestions.length > 0 && (
            <div class="suggestions" role="group" aria-label="Existing tags">
              {suggestions.map((tag) => (
                <button key={tag} type="button" class="chip chip--button" disabled={busy} onClick={() => add(tag)}>
                  + {tag}
                </button>
              ))}
            </div>
          )}
        </>
      )}
    </div>
  );
}
