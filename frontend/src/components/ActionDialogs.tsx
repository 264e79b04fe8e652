// The dialogs of the conversation actions: tag (Alt+T), archive with tags (Alt+R), assign to
// a signed-in colleague (Alt+A) and export (Alt+X). Each reports its own errors inside the
// dialog (the page behind a modal dialog is inert) and hands the changed conversation back.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorMessage } from '../api';
import { useAlerts } from '../lib/alerts';
import { tagCatalogue, teamMembers } from '../lib/directory';
import { saveFile } from '../lib/download';
import { t } from '../lib/i18n';
import type { Conversation, ExportFormat, Me, User } from '../types';
import { Dialog } from './Dialog';
import { TagEditor } from './TagEditor';
import { USER_CONTENT } from '../lib/userContent';

/** The API's words made plain for the one refusal agents meet most. */
function tagError(error: unknown, tags: string[]): string {
  if (error instanceof ApiError && error.status === 403 && error.field === 'tags') {
    const unknown = /tag '([^']+)'/.exec(error.message)?.[1] ?? tags[tags.length - 1] ?? '';
    return t('tags.refused', { tag: unknown });
  }
  return errorMessage(error);
}

function useCatalogue(): string[] {
  const [catalogue, setCatalogue] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    tagCatalogue().then(
      (tags) => live && setCatalogue(tags),
      () => undefined, // suggestions only: typing a tag still works
    );
    return () => {
      live = false;
    };
  }, []);
  return catalogue;
}

function DialogError({ message }: { message: string | null }) {
  return (
    <p class={message ? 'dialog__error' : 'dialog__error dialog__error--empty'} role="alert" data-testid="dialog-error">
      {message}
    </p>
  );
}

interface ActionProps {
  conversation: Conversation;
  onClose(): void;
  /** The conversation as the action left it. */
  onDone(conversation: Conversation): void;
}

interface TagProps extends ActionProps {
  /** `may_create_tags` of `/me`. */
  mayCreateTags: boolean;
}

export function TagDialog({ conversation, mayCreateTags, onClose, onDone }: TagProps) {
  const catalogue = useCatalogue();
  const [tags, setTags] = useState<string[]>(conversation.tags ?? []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (change: () => Promise<Conversation>, tried: string[]): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const updated = await change();
      setTags(updated.tags ?? []);
      onDone(updated);
    } catch (caught) {
      setError(tagError(caught, tried));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('tags.title')} testId="tag-dialog" onClose={onClose}>
      <p class="muted">{t('tags.intro')}</p>
      <TagEditor
        tags={tags}
        catalogue={catalogue}
        busy={busy}
        mayCreate={mayCreateTags}
        onAdd={(tag) => void run(() => api.addTags(conversation.id, [tag]), [tag])}
        onRemove={(tag) => void run(() => api.removeTag(conversation.id, tag), [tag])}
      />
      <DialogError message={error} />
      <div class="dialog__actions">
        <button type="button" class="button button--primary" onClick={onClose}>
          {t('common.done')}
        </button>
      </div>
    </Dialog>
  );
}

export function ArchiveDialog({ conversation, mayCreateTags, onClose, onDone }: TagProps) {
  const catalogue = useCatalogue();
  const current = conversation.tags ?? [];
  const [added, setAdded] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const archive = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      onDone(await api.archive(conversation.id, added));
    } catch (caught) {
      setError(tagError(caught, added));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('archive.title')} testId="archive-dialog" onClose={onClose}>
      <p>{t('archive.intro')}</p>
      {current.length > 0 && (
        <p class="muted">
          {t('archive.tagged_already')} <span>{current.join(', ')}</span>
        </p>
      )}
      <TagEditor
        tags={added}
        catalogue={catalogue.filter((tag) => !current.includes(tag))}
        busy={busy}
        mayCreate={mayCreateTags}
        onAdd={(tag) => setAdded((list) => [...list, tag])}
        onRemove={(tag) => setAdded((list) => list.filter((item) => item !== tag))}
      />
      <DialogError message={error} />
      <div class="dialog__actions">
        <button type="button" class="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" class="button button--primary" disabled={busy} onClick={() => void archive()}>
          {t('archive.archive')}
        </button>
      </div>
    </Dialog>
  );
}

interface AssignProps extends ActionProps {
  me: Me;
}

export function AssignDialog({ conversation, me, onClose, onDone }: AssignProps) {
  const [people, setPeople] = useState<User[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.online(), teamMembers(me.team_id, true)]).then(
      ([online, members]) => {
        if (!live) return;
        // only colleagues who are Available take work (Away and Offline do not)
        const here = new Set(
          online.items.filter((presence) => presence.status === 'available').map((presence) => presence.user_id),
        );
        setPeople(
          members.filter(
            (user) =>
              here.has(user.id) &&
              user.id !== conversation.owner_id &&
              (user.role === 'administrator' || user.role === 'agent'),
          ),
        );
      },
      (caught: unknown) => {
        if (!live) return;
        setPeople([]);
        setError(errorMessage(caught));
      },
    );
    return () => {
      live = false;
    };
  }, [me.team_id, conversation.owner_id]);

  const assign = async (user: User): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      onDone(await api.assign(conversation.id, user.id));
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('assign.title')} testId="assign-dialog" onClose={onClose}>
      <p class="muted">{t('assign.intro')}</p>
      {people === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : people.length === 0 ? (
        <p>{t('assign.nobody')}</p>
      ) : (
        <ul class="pick-list" aria-label={t('assign.colleagues')}>
          {people.map((user) => (
            <li key={user.id}>
              <button type="button" class="button button--block pick-list__item" disabled={busy} onClick={() => void assign(user)}>
                <span>
                  <span {...USER_CONTENT}>{user.display_name}</span>
                  {user.id === me.user.id ? ` ${t('assign.you')}` : ''}
                </span>
                <span class="muted" {...USER_CONTENT}>
                  {user.email}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <DialogError message={error} />
    </Dialog>
  );
}

const FORMATS: readonly { id: ExportFormat; label: string }[] = [
  { id: 'pdf', label: 'PDF' },
  { id: 'xlsx', label: 'Excel (XLSX)' },
  { id: 'csv', label: 'CSV' },
  { id: 'json', label: 'JSON' },
];

export function ExportDialog({ conversation, onClose }: { conversation: Conversation; onClose(): void }) {
  const alerts = useAlerts();
  const [format, setFormat] = useState<ExportFormat>('pdf');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const download = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const file = await api.exportConversation(conversation.id, format);
      saveFile(file);
      alerts.notify(t('export.downloaded', { file: file.filename }));
      onClose();
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('export.title')} testId="export-dialog" onClose={onClose}>
      <p class="muted">{t('export.intro')}</p>
      <fieldset class="settings__group">
        <legend>{t('export.format')}</legend>
        {FORMATS.map((option) => (
          <label key={option.id} class="check">
            <input
              type="radio"
              name="export-format"
              value={option.id}
              checked={format === option.id}
              onChange={() => setFormat(option.id)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </fieldset>
      {busy && (
        <p class="muted" role="status" data-testid="export-preparing">
          {t('export.preparing')}
        </p>
      )}
      <DialogError message={error} />
      <div class="dialog__actions">
        <button type="button" class="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" class="button button--primary" disabled={busy} onClick={() => void download()}>
          {t('export.download')}
        </button>
      </div>
    </Dialog>
  );
}
