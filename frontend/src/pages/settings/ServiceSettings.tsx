import { useEffect, useState } from 'preact/hooks';
import { CHANNELS } from '../../components/FilterDialog';
import { useConfirm } from '../../components/ConfirmDialog';
import { channelInfo } from '../../lib/format';
import { t } from '../../lib/i18n';
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
  const [confirmation, confirm] = useConfirm();
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

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    const days = autoDelete.trim() ? Number(autoDelete) : null;
    if (days !== settings.auto_delete_days) {
      const sure = await confirm({
        title: t('service.auto_delete_title'),
        effect:
          days === null
            ? t('service.auto_delete_off')
            : settings.auto_delete_days === null || days < settings.auto_delete_days
              ? t('service.auto_delete_sooner', { days })
              : t('service.auto_delete_later', { days }),
        action: t('service.auto_delete_action'),
      });
      if (!sure) return;
    }
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
    }, t('service.saved'));
  };

  return (
    <form class="settings__group" onSubmit={(event) => void save(event)}>
      <label class="field">
        <span class="field__label">{t('service.reopen')}</span>
        <input type="number" min={0} max={365} required disabled={!canEdit} value={reopen} onInput={(e) => setReopen(e.currentTarget.value)} />
        <span class="muted">{t('service.reopen_hint')}</span>
      </label>
      <label class="field">
        <span class="field__label">{t('service.auto_delete')}</span>
        <input
          type="number"
          min={1}
          max={3650}
          placeholder={t('service.keep_them')}
          disabled={!canEdit}
          value={autoDelete}
          onInput={(e) => setAutoDelete(e.currentTarget.value)}
        />
        <span class="muted">{t('service.auto_delete_hint')}</span>
      </label>
      <label class="check">
        <input type="checkbox" disabled={!canEdit} checked={tags} onChange={(e) => setTags(e.currentTarget.checked)} />
        <span>{t('service.agents_tags')}</span>
      </label>
      <label class="field">
        <span class="field__label">{t('service.seats')}</span>
        <input type="number" min={0} max={100000} required disabled={!canEdit} value={seats} onInput={(e) => setSeats(e.currentTarget.value)} />
        <span class="muted" data-testid="seats-in-use">
          {t('service.seats_in_use', { used: settings.seats_used, seats: settings.seats, free: settings.seats_free })}
        </span>
      </label>
      <label class="check">
        <input type="checkbox" disabled={!canEdit} checked={oneOpen} onChange={(e) => setOneOpen(e.currentTarget.checked)} />
        <span>{t('service.one_open')}</span>
      </label>
      <label class="field">
        <span class="field__label">{t('service.mfa')}</span>
        <select class="select" disabled={!canEdit} value={mfa} onChange={(e) => setMfa(e.currentTarget.value as Settings['mfa_required'])}>
          <option value="nobody">{t('service.mfa_nobody')}</option>
          <option value="administrators">{t('service.mfa_administrators')}</option>
          <option value="everyone">{t('service.mfa_everyone')}</option>
        </select>
        <span class="muted">{t('service.mfa_hint')}</span>
      </label>
      <label class="field">
        <span class="field__label">{t('service.away_after')}</span>
        <input type="number" min={0} max={480} required disabled={!canEdit} value={awayAfter} onInput={(e) => setAwayAfter(e.currentTarget.value)} />
        <span class="muted">{t('service.away_hint')}</span>
      </label>
      <fieldset class="settings__group" data-testid="consent-keywords">
        <legend class="field__label">{t('service.keywords')}</legend>
        <p class="muted">{t('service.keywords_hint')}</p>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('service.channel')}</th>
              <th scope="col">{t('service.opt_out')}</th>
              <th scope="col">{t('service.opt_in')}</th>
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
                    <input type="text" aria-label={t('service.opt_out_words', { channel: label })} placeholder={t('service.default')} disabled={!canEdit} value={draft.opt_out} onInput={(e) => set({ opt_out: e.currentTarget.value })} />
                  </td>
                  <td>
                    <input type="text" aria-label={t('service.opt_in_words', { channel: label })} placeholder={t('service.default')} disabled={!canEdit} value={draft.opt_in} onInput={(e) => set({ opt_in: e.currentTarget.value })} />
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
            {t('service.save')}
          </button>
        </div>
      )}
      {confirmation}
    </form>
  );
}
