import { useState } from 'preact/hooks';
import { channelInfo } from '../../lib/format';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

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
      <p class="muted">
        Rules are tried by priority (lowest first); a conversation no rule matches goes to its account's team
        (see Channels).
      </p>
      <Loading loaded={rules}>
        {(list) =>
          list.length === 0 ? (
            <p class="muted">No routing rules: every account routes to its own team.</p>
          ) : (
            <table class="table" data-testid="routing-rules">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Team</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Language</th>
                  <th scope="col">Keyword</th>
                  {canEdit && <th scope="col"><span class="sr-only">Actions</span></th>}
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
                          onClick={() => void run(() => admin.deleteRule(rule.account_id, rule.id), 'Rule deleted.').then((ok) => ok && rules.reload())}
                        >
                          Delete
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
          aria-label="Add a routing rule"
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
            }, 'Rule added.');
          }}
        >
          <h2 class="settings__subtitle">Add a rule</h2>
          <div class="form-row">
            <label class="field">
              <span class="field__label">Account</span>
              <select aria-label="Account" class="select" required value={draft.account} onChange={(e) => setDraft({ ...draft, account: e.currentTarget.value })}>
                <option value="">Select</option>
                {(accounts.data ?? []).map((account) => (
                  <option key={account.id} value={account.id}>
                    {accountName(account.id)}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field__label">Team</span>
              <select aria-label="Team" class="select" required value={draft.team} onChange={(e) => setDraft({ ...draft, team: e.currentTarget.value })}>
                <option value="">Select</option>
                {(teams.data ?? []).map((team) => (
                  <option key={team.id} value={team.id}>
                    {team.name}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field__label">Priority</span>
              <input type="number" min={0} max={99999} value={draft.priority} onInput={(e) => setDraft({ ...draft, priority: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">Language (optional)</span>
              <input type="text" maxLength={8} placeholder="nl" value={draft.language} onInput={(e) => setDraft({ ...draft, language: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">Keyword (optional)</span>
              <input type="text" maxLength={100} value={draft.keyword} onInput={(e) => setDraft({ ...draft, keyword: e.currentTarget.value })} />
            </label>
          </div>
          <div>
            <button type="submit" class="button button--primary" disabled={busy}>
              Add rule
            </button>
          </div>
        </form>
      )}
    </>
  );
}
