import { useEffect, useState } from 'preact/hooks';
import { CHANNELS } from '../../components/FilterDialog';
import { channelInfo } from '../../lib/format';
import type { ConsentKeywords, ServiceSettings as Settings } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

/** Reopen period, auto-deletion, tags by agents, seats, one open conversation per customer, consent keywords. */
interface KeywordDraft {
  opt_out: string;
  opt_in: string;
}

function keywordDrafts(keywords: Record<string, ConsentKeywords> | undefined): Record<string, KeywordDraft> {
  return Object.fromEntries(
    Object.entries(keywords ?? {}).map(([channel, words]) => [channel, { opt_out: (words.opt_out ?? []).join(', '), opt_in: (words.opt_in ?? []).join(', ') }]),
  );
}

const words = (text: string): string[] => text.split(',').map((word) => word.trim()).filter(Boolean);

/** The channels whose words were set (the others keep their defaults). */
function keywordsOf(drafts: Record<string, KeywordDraft>): Record<string, ConsentKeywords> {
  return Object.fromEntries(
    Object.entries(drafts)
      .map(([channel, draft]): [string, ConsentKeywords] => [channel, { opt_out: words(draft.opt_out), opt_in: words(draft.opt_in) }])
      .filter(([, keywords]) => (keywords.opt_out ?? []).length > 0 || (keywords.opt_in ?? []).length > 0),
  );
}

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
  const [oneOpen, setOneOpen] = useState(settings.one_open_conversation);
  const [mfa, setMfa] = useState(settings.mfa_required);
  const [awayAfter, setAwayAfter] = useState(String(settings.away_after_minutes));
  const [keywords, setKeywords] = useState(() => keywordDrafts(settings.consent_keywords));
  const [busy, run] = useAction();
  useEffect(() => {
    setReopen(String(settings.reopen_days));
    setAutoDelete(settings.auto_delete_days === null ? '' : String(settings.auto_delete_days));
    setTags(settings.agents_may_create_tags);
    setSeats(String(settings.seats));
    setOneOpen(settings.one_open_conversation);
    setMfa(settings.mfa_required);
    setAwayAfter(String(settings.away_after_minutes));
    setKeywords(keywordDrafts(settings.consent_keywords));
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
          one_open_conversation: oneOpen,
          mfa_required: mfa,
          away_after_minutes: Number(awayAfter),
          consent_keywords: keywordsOf(keywords),
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
      <label class="check">
        <input type="checkbox" disabled={!canEdit} checked={oneOpen} onChange={(e) => setOneOpen(e.currentTarget.checked)} />
        <span>One open conversation per customer: a customer who writes on another channel joins their open conversation</span>
      </label>
      <label class="field">
        <span class="field__label">Authenticator app (MFA) required of</span>
        <select class="select" disabled={!canEdit} value={mfa} onChange={(e) => setMfa(e.currentTarget.value as Settings['mfa_required'])}>
          <option value="nobody">Nobody (each user may set it up)</option>
          <option value="administrators">Administrators</option>
          <option value="everyone">Everyone</option>
        </select>
        <span class="muted">Users it applies to set it up at their next request before they can work. Set up your own first.</span>
      </label>
      <label class="field">
        <span class="field__label">Away after idle (minutes)</span>
        <input type="number" min={0} max={480} required disabled={!canEdit} value={awayAfter} onInput={(e) => setAwayAfter(e.currentTarget.value)} />
        <span class="muted">An agent with no key or pointer activity this long turns Away and gets no new conversations; 0 never.</span>
      </label>
      <fieldset class="settings__group" data-testid="consent-keywords">
        <legend class="field__label">Opt-out and opt-in words per channel</legend>
        <p class="muted">
          A message that is exactly one of these words (any case) opts the customer out of, or back into, messages on that channel.
          Separate words with commas; leave both empty for the channel's defaults.
        </p>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Opt out</th>
              <th scope="col">Opt in</th>
            </tr>
          </thead>
          <tbody>
            {CHANNELS.map((channel) => {
              const label = channelInfo(channel).label;
              const draft = keywords[channel] ?? { opt_out: '', opt_in: '' };
              const set = (change: Partial<KeywordDraft>): void => setKeywords({ ...keywords, [channel]: { ...draft, ...change } });
              return (
                <tr key={channel}>
                  <th scope="row">{label}</th>
                  <td>
                    <input type="text" aria-label={`${label} opt-out words`} placeholder="Default" disabled={!canEdit} value={draft.opt_out} onInput={(e) => set({ opt_out: e.currentTarget.value })} />
                  </td>
                  <td>
                    <input type="text" aria-label={`${label} opt-in words`} placeholder="Default" disabled={!canEdit} value={draft.opt_in} onInput={(e) => set({ opt_in: e.currentTarget.value })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </fieldset>
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
