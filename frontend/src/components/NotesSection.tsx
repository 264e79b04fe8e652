import { useCallback, useEffect, useId, useState } from 'preact/hooks';
import { useNotices, usePush } from '../hooks/usePush';
import { api } from '../api';
import { reportError, useAlerts } from '../lib/alerts';
import { fullTime, shortTime } from '../lib/format';
import type { Note } from '../types';
import { t } from '../lib/i18n';
import { USER_CONTENT } from '../lib/userContent';

interface Props {
  conversationId: string;
  /** Watchers read notes; administrators and agents add them too. */
  canWrite: boolean;
}

/** The conversation's notes, oldest first, with author and time; they go into its export. */
export function NotesSection({ conversationId, canWrite }: Props) {
  const alerts = useAlerts();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  const fieldId = useId();

  const load = useCallback(async (): Promise<void> => {
    try {
      const all: Note[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.listNotes(conversationId, cursor);
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      setNotes(all);
    } catch (error) {
      setNotes((current) => current ?? []);
      reportError(alerts, error);
    }
  }, [conversationId, alerts]);

  useEffect(() => {
    void load();
  }, [load]);
  // A colleague's note on this conversation arrives as a pushed notice (read with the tab's other reads).
  const { requestRead } = usePush();
  useNotices((message) => {
    if (message.notices.some((notice) => notice.type === 'note' && notice.conversation_id === conversationId)) {
      requestRead(load);
    }
  });

  const add = async (event: Event): Promise<void> => {
    event.preventDefault();
    const text = draft.trim();
    if (!text || saving) return;
    setSaving(true);
    try {
      const note = await api.addNote(conversationId, text);
      setNotes((current) => [...(current ?? []), note]);
      setDraft('');
    } catch (error) {
      reportError(alerts, error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby={`${fieldId}-title`} data-testid="notes">
      <h3 class="info__title" id={`${fieldId}-title`}>
        {t('notes.title')}
      </h3>
      {notes === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : notes.length === 0 ? (
        <p class="muted">{t('notes.none')}</p>
      ) : (
        <ul class="notes">
          {notes.map((note) => (
            <li key={note.id} class="note" data-testid="note">
              <p class="note__text" {...USER_CONTENT}>
                {note.text}
              </p>
              <p class="note__meta muted">
                <span data-testid="note-author" {...USER_CONTENT}>
                  {note.author_name}
                </span> ·{' '}
                <time dateTime={note.created_at} title={fullTime(note.created_at)}>
                  {shortTime(note.created_at)}
                </time>
              </p>
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <form class="note-form" onSubmit={(event) => void add(event)}>
          <label for={fieldId} class="sr-only">
            {t('notes.note')}
          </label>
          <textarea
            id={fieldId}
            rows={2}
            maxLength={5000}
            value={draft}
            placeholder={t('notes.placeholder')}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <button type="submit" class="button" disabled={saving || !draft.trim()}>
            {t('notes.add')}
          </button>
        </form>
      )}
    </section>
  );
}
