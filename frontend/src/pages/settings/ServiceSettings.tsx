import { useEffect, useState } from 'preact/hooks';
import type { ServiceSettings as Settings } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

/** Reopen period, auto-deletion, tags by agents, seats. */
export function ServiceSettings({ canEdit }: SectionProps) {
  const loaded = useLoad(admin.service);
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <Loading loaded={loaded}>{(settings) => <ServiceForm settings={settings} canEdit={canEdit} onSaved={loaded.set} />}</Loading>
    </>
  );
}

function ServiceForm({ settings, canEdit, onSaved }: { settings: Settings; canEdit: boolean; onSaved(s: Settings): void }) {
  const [reopen, setReopen] = useState(String(settings.reopen_days));
  const [autoDelete, setAutoDelete] = useState(settings.auto_delete_days === null ? '' : String(settings.auto_delete_days));
  const [tags, setTags] = useState(settings.agents_may_create_tags);
  const [seats, setSeats] = useState(String(settings.seats));
  const [busy, run] = useAction();
  useEffect(() => {
    setReopen(String(settings.reopen_days));
    setAutoDelete(settings.auto_delete_days === null ? '' : String(settings.auto_delete_days));
    setTags(settings.agents_may_create_tags);
    setSeats(String(settings.seats));
  }, [settings]);

  const save = (event: Event): void => {
    event.preventDefault();
    void run(async () => {
      onSaved(
        await admin.updateService({
          reopen_days: Number(reopen),
          auto_delete_days: autoDelete.trim() ? Number(autoDelete) : null,
          agents_may_create_tags: tags,
          seats: Number(seats),
        }),
      );
    }, 'Service settings saved.');
  };

  return (
    <form class="settings__group" onSubmit={save}>
      <label class="field">
        <span class="field__label">Reopen period (days)</span>
        <input type="number" min={0} max={365} required disabled={!canEdit} value={reopen} onInput={(e) => setReopen(e.currentTarget.value)} />
        <span class="muted">A customer who writes within this period after archiving reopens the conversation; later, a new one starts.</span>
      </label>
      <label class="field">
        <span class="field__label">Delete archived conversations after (days)</span>
        <input
          type="number"
          min={1}
          max={3650}
          placeholder="Keep them"
          disabled={!canEdit}
          value={autoDelete}
          onInput={(e) => setAutoDelete(e.currentTarget.value)}
        />
        <span class="muted">Empty keeps them. A new period applies to conversations archived already.</span>
      </label>
      <label class="check">
        <input type="checkbox" disabled={!canEdit} checked={tags} onChange={(e) => setTags(e.currentTarget.checked)} />
        <span>Agents may create new tags</span>
      </label>
      <label class="field">
        <span class="field__label">Seats</span>
        <input type="number" min={0} max={100000} required disabled={!canEdit} value={seats} onInput={(e) => setSeats(e.currentTarget.value)} />
        <span class="muted" data-testid="seats-in-use">
          Seats in use: {settings.seats_used} of {settings.seats} ({settings.seats_free} free)
        </span>
      </label>
      {canEdit && (
        <div>
          <button type="submit" class="button button--primary" disabled={busy}>
            Save service settings
          </button>
        </div>
      )}
    </form>
  );
}
