import { useState } from 'preact/hooks';
import type { TeamSettings, User } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';
import { t } from '../../lib/i18n';
import { USER_CONTENT, userValues } from '../../lib/userContent';
import { Icon } from '../../components/Icon';
import { useConfirm } from '../../components/ConfirmDialog';

/** Teams: members, automatic assignment, create, rename, delete. */
export function TeamsSettings({ canEdit }: SectionProps) {
  const teams = useLoad(admin.teams);
  const users = useLoad(() => admin.users());
  const [busy, run] = useAction();
  const [name, setName] = useState('');
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">{t('teams.intro')}</p>
      <Loading loaded={teams}>
        {(list) =>
          list.map((team) => (
            <TeamCard
              key={team.id}
              team={team}
              users={users.data ?? []}
              canEdit={canEdit}
              onSaved={(saved) => teams.set(list.map((item) => (item.id === saved.id ? saved : item)))}
              onDeleted={teams.reload}
            />
          ))
        }
      </Loading>
      {canEdit && (
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              await admin.createTeam({ name: name.trim() });
              setName('');
              teams.reload();
            }, t('teams.created'));
          }}
        >
          <input type="text" aria-label={t('teams.new_name')} maxLength={100} placeholder={t('teams.new')} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="button button--primary" disabled={busy || !name.trim()}>
            {t('teams.create')}
          </button>
        </form>
      )}
    </>
  );
}

function TeamCard({
  team,
  users,
  canEdit,
  onSaved,
  onDeleted,
}: {
  team: TeamSettings;
  users: User[];
  canEdit: boolean;
  onSaved(t: TeamSettings): void;
  onDeleted(): void;
}) {
  const members = useLoad(() => admin.members(team.id), [team.id]);
  const [busy, run] = useAction();
  const [confirmation, confirm] = useConfirm();
  const [name, setName] = useState(team.name);
  const [adding, setAdding] = useState('');
  const policy = { auto_assign: false, capacity: 5, sticky: true, ...team.assignment };
  const ids = new Set((members.data ?? []).map((user) => user.id));
  const setPolicy = (change: Partial<typeof policy>): void => {
    void run(async () => onSaved(await admin.updateTeam(team.id, { assignment: { ...policy, ...change } })), t('teams.assignment_saved'));
  };

  return (
    <section class="card settings__card" aria-label={t('teams.team_named', { name: team.name })} {...userValues(team.name)} data-testid="team">
      <div class="settings__row">
        {canEdit ? (
          <input type="text" aria-label={t('teams.name_of', { id: team.id })} maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        ) : (
          <h2 class="settings__subtitle" {...USER_CONTENT}>
            {team.name}
          </h2>
        )}
        <span class="muted info__code">{team.id}</span>
        {canEdit && (
          <span class="dialog__actions">
            <button
              type="button"
              class="button"
              disabled={busy || !name.trim() || name.trim() === team.name}
              onClick={() => void run(async () => onSaved(await admin.updateTeam(team.id, { name: name.trim() })), t('teams.renamed'))}
            >
              {t('quick.rename')}
            </button>
            <button
              type="button"
              class="button button--quiet"
              disabled={busy}
              onClick={() => {
                void confirm({
                  title: t('teams.delete_title', { name: team.name }),
                  effect: t('teams.delete_effect', { name: team.name }),
                  action: t('teams.delete'),
                }).then((sure) => sure && run(() => admin.deleteTeam(team.id), t('teams.deleted')).then((ok) => ok && onDeleted()));
              }}
            >
              {t('common.delete')}
            </button>
          </span>
        )}
      </div>
      <fieldset class="settings__group">
        <legend>{t('teams.assignment')}</legend>
        <label class="check">
          <input type="checkbox" disabled={!canEdit || busy} checked={policy.auto_assign} onChange={(e) => setPolicy({ auto_assign: e.currentTarget.checked })} />
          <span>{t('teams.auto_assign')}</span>
        </label>
        <label class="check">
          <input type="checkbox" disabled={!canEdit || busy} checked={policy.sticky} onChange={(e) => setPolicy({ sticky: e.currentTarget.checked })} />
          <span>{t('teams.sticky')}</span>
        </label>
        <label class="field field--inline">
          <span>{t('teams.capacity')}</span>
          <input
            type="number"
            min={1}
            max={100}
            disabled={!canEdit || busy}
            value={policy.capacity}
            onChange={(e) => setPolicy({ capacity: Number(e.currentTarget.value) })}
          />
        </label>
      </fieldset>
      <h3 class="info__title">{t('teams.members')}</h3>
      <Loading loaded={members}>
        {(list) => (
          <ul class="chips" aria-label={t('teams.members_of', { name: team.name })} {...userValues(team.name)}>
            {list.length === 0 && <li class="muted">{t('teams.no_members')}</li>}
            {list.map((user) => (
              <li key={user.id} class="chip">
                <span {...USER_CONTENT}>{user.display_name}</span>
                {canEdit && (
                  <button
                    type="button"
                    class="chip__remove"
                    aria-label={t('teams.remove_member', { name: user.display_name, team: team.name })} {...userValues(user.display_name, team.name)}
                    onClick={() => void run(() => admin.removeMember(team.id, user.id), t('teams.member_removed')).then((ok) => ok && members.reload())}
                  >
                    <Icon name="close" size={12} />
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loading>
      {canEdit && (
        <div class="inline-form">
          <select class="select" aria-label={t('teams.add_member_to', { name: team.name })} {...userValues(team.name)} value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
            <option value="">{t('teams.add_member')}</option>
            {users
              .filter((user) => !ids.has(user.id))
              .map((user) => (
                <option key={user.id} value={user.id} {...USER_CONTENT}>
                  {user.display_name}
                </option>
              ))}
          </select>
          <button
            type="button"
            class="button"
            disabled={!adding || busy}
            onClick={() => void run(() => admin.addMember(team.id, adding), t('teams.member_added')).then((ok) => ok && (setAdding(''), members.reload()))}
          >
            {t('teams.add')}
          </button>
        </div>
      )}
      {confirmation}
    </section>
  );
}
