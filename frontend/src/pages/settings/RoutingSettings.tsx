import { useState } from 'preact/hooks';
import { channelInfo } from '../../lib/format';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';
import { t } from '../../lib/i18n';
import { USER_CONTENT } from '../../lib/userContent';

/** Routing rules: an account's new conversations go to a team, optionally only for a language or keyword. */
export function RoutingSettings({ canEdit }: SectionProps) {
  const rules = useLoad(admin.rules);
  const accounts = useLoad(admin.accounts);
  const teams = useLoad(admin.teams);
  const [busy, run] = useAction();
  const [draft, setDraft] = useState({ account: '', team: '', priority: '100', language: '', keyword: '' });
  const accountName = (id: string): string => {
    const account = accounts.data?.find((item) => item.id === id);
    return account ? `${channelInfo(account.channel).label} · ${account.name}` : id;
  };
  const teamName = (id: string): string => teams.data?.find((team) => team.id === id)?.name ?? id;

  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">{t('routing.intro')}</p>
      <Loading loaded={rules}>
        {(list) =>
          list.length === 0 ? (
            <p class="muted">{t('routing.none')}</p>
          ) : (
            <table class="table" data-testid="routing-rules">
              <thead>
                <tr>
                  <th scope="col">{t('routing.account')}</th>
                  <th scope="col">{t('channels.team')}</th>
                  <th scope="col">{t('routing.priority')}</th>
                  <th scope="col">{t('profile.language')}</th>
                  <th scope="col">{t('routing.keyword')}</th>
                  {canEdit && <th scope="col"><span class="sr-only">{t('users.actions')}</span></th>}
                </tr>
              </thead>
              <tbody>
                {list.map((rule) => (
                  <tr key={rule.id}>
                    <td>{accountName(rule.account_id)}</td>
                    <td>{teamName(rule.team_id)}</td>
                    <td>{rule.priority ?? 100}</td>
                    <td>{rule.language ?? '—'}</td>
                    <td>{rule.keyword ?? '—'}</td>
                    {canEdit && (
                      <td>
                        <button
                          type="button"
                          class="button button--quiet"
                          disabled={busy}
                          onClick={() => void run(() => admin.deleteRule(rule.account_id, rule.id), t('routing.deleted')).then((ok) => ok && rules.reload())}
                        >
                          {t('common.delete')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
      {canEdit && (
        <form
          class="card settings__card settings__group"
          aria-label={t('routing.add_title')}
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              await admin.addRule(draft.account, {
                team_id: draft.team,
                priority: Number(draft.priority),
                language: draft.language.trim() || null,
                keyword: draft.keyword.trim() || null,
              });
              setDraft({ ...draft, language: '', keyword: '' });
              rules.reload();
            }, t('routing.added'));
          }}
        >
          <h2 class="settings__subtitle">{t('routing.add_title')}</h2>
          <div class="form-row">
            <label class="field">
              <span class="field__label">{t('routing.account')}</span>
              <select aria-label={t('routing.account')} class="select" required value={draft.account} onChange={(e) => setDraft({ ...draft, account: e.currentTarget.value })}>
                <option value="">{t('routing.select')}</option>
                {(accounts.data ?? []).map((account) => (
                  <option key={account.id} value={account.id}>
                    {accountName(account.id)}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field__label">{t('channels.team')}</span>
              <select aria-label={t('channels.team')} class="select" required value={draft.team} onChange={(e) => setDraft({ ...draft, team: e.currentTarget.value })}>
                <option value="">{t('routing.select')}</option>
                {(teams.data ?? []).map((team) => (
                  <option key={team.id} value={team.id} {...USER_CONTENT}>
                    {team.name}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field__label">{t('routing.priority')}</span>
              <input type="number" min={0} max={99999} value={draft.priority} onInput={(e) => setDraft({ ...draft, priority: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">{t('routing.language_optional')}</span>
              <input type="text" maxLength={8} placeholder="nl" value={draft.language} onInput={(e) => setDraft({ ...draft, language: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">{t('routing.keyword_optional')}</span>
              <input type="text" maxLength={100} value={draft.keyword} onInput={(e) => setDraft({ ...draft, keyword: e.currentTarget.value })} />
            </label>
          </div>
          <div>
            <button type="submit" class="button button--primary" disabled={busy}>
              {t('routing.add')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
